import Foundation
import Testing
import TowerData
import TowerTestSupport
import TwoTower
@testable import TowerWorkflows

/// `--split ratio:T` with early stopping: validation comes out of the training part, the test part
/// keeps exactly what it would have without validation, and a note says how much went to validation.
@Suite struct SplitShareTests {
    static func source(_ split: SplitStrategy?) -> DataSource {
        var source = DataSource()
        source.synthetic = SyntheticConfiguration(users: 400, items: 300, interactions: 15_000, seed: 9)
        source.split = split
        return source
    }

    @Test func theTestPartKeepsItsRequestedShare() throws {
        let source = Self.source(.ratio(train: 0.75, validation: 0))
        let plain = try source.prepare(seed: 4, validation: false)
        let early = try source.prepare(seed: 4, validation: true)
        let total = plain.split.train.count + plain.split.test.count
        // Per user, n − round(0.75·n) test interactions: exactly what was asked.
        let (offsets, _) = SyntheticDataset.generate(source.synthetic).log.orderedByFrequency().rowsByUser()
        let requested = (0 ..< offsets.count - 1).reduce(0) { sum, u in
            let n = offsets[u + 1] - offsets[u]
            return sum + (n == 0 ? 0 : n - max(1, Int((0.75 * Double(n)).rounded())))
        }
        #expect(plain.split.test.count == requested)
        #expect(early.split.test == plain.split.test, "validation changed the test part")
        let validation = try #require(early.split.validation)
        #expect(validation.count > 0)
        #expect(early.split.train.count + validation.count == plain.split.train.count)
        #expect(early.split.train.count + validation.count + early.split.test.count == total)
        // About 10% of all interactions go to validation.
        let share = Double(validation.count) / Double(total)
        #expect(share > 0.08 && share < 0.12, "validation share \(share)")
        let note = early.notes.first { $0.hasPrefix("validation:") }
        #expect(note?.contains("\(validation.count) interactions") == true, "\(early.notes)")
        #expect(note?.contains("out of the training part") == true)
        #expect(!plain.notes.contains { $0.hasPrefix("validation:") })
    }

    /// An explicit validation fraction is left as given; the note is printed too.
    @Test func anExplicitValidationFractionIsKept() throws {
        let early = try Self.source(.ratio(train: 0.7, validation: 0.1)).prepare(seed: 4, validation: true)
        let validation = try #require(early.split.validation)
        #expect(early.notes.contains { $0.hasPrefix("validation: \(validation.count) interactions") })
    }

    /// Leave-last-out with early stopping: one test interaction per user, as without validation.
    @Test func leaveOutSplitsKeepTheirTestPart() throws {
        let source = Self.source(nil)
        #expect(try source.prepare(seed: 4, validation: true).split.test == source.prepare(seed: 4, validation: false).split.test)
    }
}
