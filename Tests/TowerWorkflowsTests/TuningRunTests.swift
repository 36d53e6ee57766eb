import Foundation
import Testing
import TowerCore
import TowerData
import TowerTestSupport
@testable import TowerWorkflows
import TwoTower

/// `twotower tune`'s workflow on a tiny synthetic set with a trial budget: reproducible, blind to
/// the test part, and the winner is the best validation score.
@Suite struct TuningRunTests {
    static func smallTuning(trials: Int = 5) -> TuningRun {
        var run = TuningRun()
        run.data.synthetic = SyntheticConfiguration(users: 150, items: 80, interactions: 3_000, factors: 4, seed: 3)
        run.training.batchSize = 128
        run.trials = trials
        run.minEpochs = 1
        run.maxEpochs = 3
        run.metric = "recall@10"
        run.evaluation.ks = [10]
        run.space.learningRates = [0.01, 0.05]
        run.space.dimensions = [8, 16]
        run.space.samplers = [[.inBatch], [.inBatch, .uniform(count: 16)]]
        run.space.losses = [.softmaxCrossEntropy, .ccl]
        run.space.weightDecays = [0]
        return run
    }

    static func tuningData(_ run: TuningRun, poisonTest: Bool = false) throws -> TuningData {
        var prepared = try run.data.prepare(seed: run.training.seed, validation: false)
        if poisonTest {
            // The test part replaced by other interactions (every training row, as if the test
            // leaked into it): a tuner that read it would score differently.
            let train = prepared.split.train
            prepared.split = DatasetSplit(train: train, test: train.subset(rows: Array(0..<train.count).reversed()))
        }
        return try TuningData(prepared, strategy: run.data.split, seed: run.training.seed)
    }

    @Test func sameSeedSameLeaderboard() throws {
        let run = Self.smallTuning()
        let data = try Self.tuningData(run)
        let a = try run.search(on: data), b = try run.search(on: data)
        #expect(a.trials.count > 5)   // promotions ran beyond the 5 first-rung trials
        #expect(a.trials.count == b.trials.count)
        #expect(zip(a.trials, b.trials).allSatisfy { $0.sameOutcome(as: $1) })
        #expect(a.leaderboard.map(\.configuration) == b.leaderboard.map(\.configuration))
        #expect(a.leaderboard.map(\.best.score) == b.leaderboard.map(\.best.score))
        #expect(a.halving == b.halving)
        #expect(a.stop == .trials && a.leaderboard.count == 5)
        // Another seed draws other configurations.
        var other = run
        other.training.seed = 43
        let c = try other.search(on: try Self.tuningData(other))
        #expect(c.leaderboard.map(\.description) != a.leaderboard.map(\.description))
    }

    /// Configuration #1 is the base (what `twotower train` runs with the same flags), so the
    /// winner's validation score is never below the defaults'.
    @Test func theFirstConfigurationIsTheBase() throws {
        let run = Self.smallTuning(trials: 3)
        let search = try run.search(on: try Self.tuningData(run))
        let first = try #require(search.leaderboard.first { $0.configuration == 0 })
        #expect(first.model == run.model)
        #expect(SearchSpace.describe(model: first.model, training: first.training)
                == SearchSpace.describe(model: run.model, training: run.training))
        #expect(search.trials.first?.configuration == 0, "the base is the first trial run")
    }

    /// The search sees no test part: replacing it changes nothing, and the tuning data is a
    /// subset of the training part.
    @Test func neverReadsTheTestPart() throws {
        let run = Self.smallTuning(trials: 3)
        let clean = try Self.tuningData(run), poisoned = try Self.tuningData(run, poisonTest: true)
        let a = try run.search(on: clean), b = try run.search(on: poisoned)
        #expect(zip(a.trials, b.trials).allSatisfy { $0.sameOutcome(as: $1) } && a.trials.count == b.trials.count)
        let prepared = try run.data.prepare(seed: run.training.seed, validation: false)
        #expect(clean.train.count + clean.validationCount == prepared.split.train.count)
        var testPairs = Set<Int64>()
        for (u, i) in zip(prepared.split.test.users, prepared.split.test.items) { testPairs.insert(Int64(u) << 32 | Int64(i)) }
        #expect(!zip(clean.train.users, clean.train.items).contains { testPairs.contains(Int64($0) << 32 | Int64($1)) })
    }

    /// With a given test file, two different test files give the same search; the final test
    /// metrics are those of the winner retrained on the whole training part.
    @Test func aGivenTestFileDoesNotChangeTheSearch() throws {
        let dir = temporaryDirectory("tune-test-file")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rng = Xoshiro256(seed: 9)
        var train = "user_id,item_id\n", testA = "user_id,item_id\n", testB = "user_id,item_id\n"
        for u in 0..<60 {
            for _ in 0..<12 { train += "u\(u),i\(Int(rng.next() % 40))\n" }
            testA += "u\(u),i\(Int(rng.next() % 40))\n"
            testB += "u\(u),i\(Int(rng.next() % 40))\n"
        }
        try train.write(toFile: dir + "/train.csv", atomically: true, encoding: .utf8)
        try testA.write(toFile: dir + "/a.csv", atomically: true, encoding: .utf8)
        try testB.write(toFile: dir + "/b.csv", atomically: true, encoding: .utf8)
        var run = Self.smallTuning(trials: 3)
        run.data.path = dir + "/train.csv"
        run.data.testPath = dir + "/a.csv"
        let a = try run.run()
        run.data.testPath = dir + "/b.csv"
        let b = try run.run()
        #expect(zip(a.search.trials, b.search.trials).allSatisfy { $0.sameOutcome(as: $1) })
        #expect(a.search.leaderboard.map(\.configuration) == b.search.leaderboard.map(\.configuration))
        let finalA = try #require(a.final), finalB = try #require(b.final)
        // The winner trains on every training row (train + validation), for its best epoch count.
        #expect(finalA.statistics.interactions == a.trainInteractions + a.validationInteractions)
        #expect(finalA.training.epochs == a.search.winner!.training.epochs)
        #expect(finalA.metrics != finalB.metrics || testA == testB)
    }

    @Test func winnerIsTheBestValidationScore() throws {
        let run = Self.smallTuning()
        let search = try run.search(on: try Self.tuningData(run))
        let winner = try #require(search.winner)
        let best = search.trials.map(\.score).max()!
        #expect(winner.best.score == best)
        #expect(winner.training.patience == nil && winner.training.epochs == winner.best.bestEpoch)
        #expect(search.leaderboard.map(\.best.score) == search.leaderboard.map(\.best.score).sorted(by: >))
        // Every trial's epochs stay within its rung; rung 0 trials are the configurations drawn.
        #expect(search.trials.allSatisfy { $0.epochsRun <= $0.epochBudget && $0.epochBudget == search.halving.rungEpochs[$0.rung] })
        #expect(search.trials.filter { $0.rung == 0 }.count == 5)
        // ccl configurations are cosine, without logQ, at temperature 1.
        for e in search.leaderboard where e.training.loss == .ccl {
            #expect(e.model.l2Normalize && e.training.logQ == .none && e.training.temperature == 1)
        }
    }

    @Test func aSpentTimeBudgetStopsTheSearch() throws {
        var run = Self.smallTuning()
        run.trials = nil
        run.timeBudget = 60
        let clock = Clock()
        run.clock = { clock.tick() }
        let search = try run.search(on: try Self.tuningData(run))
        #expect(search.stop == .timeBudget)
        #expect(!search.trials.isEmpty)
    }

    @Test func settingsAreChecked() {
        var run = Self.smallTuning()
        run.trials = nil
        #expect(throws: ConfigurationError.self) { try run.validate() }   // no budget
        run.trials = 2
        run.metric = "recall"
        #expect(throws: ConfigurationError.self) { try run.validate() }
        run.metric = "recall@10"
        run.space.dimensions = []
        #expect(throws: ConfigurationError.self) { try run.validate() }
    }
}

/// A clock that advances 10 s each time it is read.
private final class Clock: @unchecked Sendable {
    private var t = 0.0
    func tick() -> Double { t += 10; return t }
}
