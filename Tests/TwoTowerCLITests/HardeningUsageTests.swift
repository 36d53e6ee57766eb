import ArgumentParser
import Testing
import TowerWorkflows
import TwoTower
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
        #expect(m.contains("--interactions 1000000 is more than 10 users × 5 items allow"), "\(m)")
        #expect(m.contains("at most 50 interactions"), "\(m)")
        #expect(message(["synth", "--out", "sy", "--users", "10", "--items", "5", "--interactions", "50"]) == nil)
    }

    @Test func synthRefusesFewerItemsThanAUserNeeds() throws {
        let m = try #require(message(["synth", "--out", "sy", "--users", "10", "--items", "3", "--interactions", "50"]))
        #expect(m.contains("--items must be at least 5"), "\(m)")
    }

    @Test func sameColumnForTwoRolesIsRefused() throws {
        let m = try #require(message(["train", "--data", "x.csv", "--user-column", "X", "--item-column", "X"]))
        #expect(m.contains("--user-column and --item-column name the same column \"X\""), "\(m)")
    }

    @Test func aMinimumRatingBeyondFloatIsOutOfRange() throws {
        let m = try #require(message(["train", "--data", "x.csv", "--rating-column", "r", "--min-rating", "1e40"]))
        #expect(m.contains("--min-rating is out of range"), "\(m)")
    }

    @Test func aNegativeTimeBudgetIsNamed() throws {
        do {
            _ = try TuneCommand.parse(["--time-budget", "-5m"]).makeRun()
            Issue.record("accepted")
        } catch {
            let m = TuneCommand.message(for: error)
            #expect(m.contains("--time-budget -5m: a negative duration is invalid"), "\(m)")
        }
    }
}

/// Library checks the CLI reaches after parsing.
@Suite struct HardeningSettingsTests {
    @Test func aRepeatedCutOffIsRefused() {
        var s = EvaluationSettings()
        s.ks = [10, 10]
        #expect(throws: ConfigurationError.self) { try s.validate() }
    }

    @Test func aVanishingTemperatureIsRefused() {
        var t = TrainingConfiguration()
        t.temperature = 1e-30
        #expect(throws: ConfigurationError.self) { try t.validate() }
        t.temperature = 0.05
        #expect(throws: Never.self) { try t.validate() }
    }
}
