import ArgumentParser
import Testing
@testable import TwoTowerCLI

/// Hostile flag values get a usage error naming the flag and what is allowed, never a trap.
@Suite struct HardeningUsageTests {
    /// The usage message `arguments` get, or nil when they are accepted.
    func message(_ arguments: [String]) -> String? {
        do {
            _ = try TwoTowerCommand.parseAsRoot(arguments)
            return nil
        } catch {
            return TwoTowerCommand.message(for: error)
        }
    }

    @Test func synthRefusesMoreInteractionsThanDistinctPairsAllow() throws {
        let m = try #require(message(["synth", "--out", "sy", "--users", "10", "--items", "5", "--interactions", "1000000"]))
        #expect(m.contains("--interactions 1000000 is more than 10 users can have"), "\(m)")
        #expect(m.contains("at most 50 interactions"), "\(m)")
        #expect(message(["synth", "--out", "sy", "--users", "10", "--items", "5", "--interactions", "50"]) == nil)
    }

    @Test func synthRefusesFewerItemsThanAUserNeeds() throws {
        let m = try #require(message(["synth", "--out", "sy", "--users", "10", "--items", "3", "--interactions", "50"]))
        #expect(m.contains("--items must be at least 5"), "\(m)")
    }
}
