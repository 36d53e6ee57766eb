import Foundation
import Testing
import TowerTestSupport
@testable import TowerWorkflows

/// A short seeded run of the mutation fuzzer (every reader and the model loader): every input
/// ends in success or a typed error; the run covers both outcomes, and the same seed repeats it.
@Suite struct InputFuzzerTests {
    func run(seed: UInt64, iterations: Int) throws -> InputFuzzer.Summary {
        let dir = temporaryDirectory("fuzz"); defer { try? FileManager.default.removeItem(atPath: dir) }
        var fuzzer = try InputFuzzer(directory: dir, seed: seed)
        return fuzzer.run(iterations: iterations)
    }

    @Test func mutatedInputsEndInTypedErrors() throws {
        let s = try run(seed: 11, iterations: 300)
        #expect(s.findings.isEmpty, "\(s.findings.prefix(5))")
        #expect(s.accepted > 0 && s.rejected > 0, "accepted \(s.accepted), rejected \(s.rejected)")
        let again = try run(seed: 11, iterations: 300)
        #expect(again.accepted == s.accepted && again.rejected == s.rejected)
    }

    @Test func mutationsTouchEveryInput() throws {
        let dir = temporaryDirectory("fuzz-mutate"); defer { try? FileManager.default.removeItem(atPath: dir) }
        var fuzzer = try InputFuzzer(directory: dir, seed: 3)
        let base = Array("1,2,3\n4,5,6\n".utf8)
        let outputs = (0..<50).map { _ in fuzzer.mutate(base) }
        #expect(outputs.filter { $0 != base }.count >= 40)
        #expect(Set(outputs).count >= 30)
    }
}
