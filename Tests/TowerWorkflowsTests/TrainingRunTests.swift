import Foundation
import Testing
import TowerCore
import TowerData
import TowerTestSupport
@testable import TowerWorkflows
@testable import TwoTower
import TowerFormats

/// End-to-end: synthetic data with planted structure → training → full-corpus metrics, baselines,
/// checkpoint round trip.
@Suite struct TrainingRunTests {
    static func smallRun(logQ: LogQMode = .none, samplers: [SamplerSpecification] = [.inBatch]) -> TrainingRun {
        var run = TrainingRun()
        run.data.synthetic = SyntheticConfiguration(users: 400, items: 200, interactions: 12_000, factors: 8, seed: 5)
        run.model.dimensions = 16
        run.training.epochs = 5
        run.training.batchSize = 128
        run.training.learningRate = 0.02
        run.training.samplers = samplers
        run.training.logQ = logQ
        run.training.patience = nil
        run.evaluation.ks = [10, 20]
        return run
    }

    @Test func learnsPlantedStructureBeyondBaselines() throws {
        // Without logQ, in-batch softmax learns popularity out (a PMI-like score); the synthetic
        // truth includes popularity, so the corrected model is the one to beat the baselines.
        let report = try Self.smallRun(logQ: .static).run()
        let model = report.metrics.dictionary["recall@20"]!
        let baseline = Dictionary(uniqueKeysWithValues: report.baselines.map { ($0.name, $0.result.dictionary["recall@20"]!) })
        #expect(report.baselines.map(\.name) == ["popularity", "random", "oracle"])
        #expect(model > 2 * baseline["random"]!, "model \(model) vs random \(baseline["random"]!)")
        #expect(model > baseline["popularity"]!, "model \(model) vs popularity \(baseline["popularity"]!)")
        #expect(baseline["oracle"]! > baseline["popularity"]!)
        #expect(report.training.epochLosses.first! > report.training.epochLosses.last!)
        let json = try JSONSerialization.jsonObject(with: report.json()) as! [String: Any]
        #expect((json["metrics"] as! [String: Double])["ndcg@20"] != nil)
        #expect((json["baselines"] as! [String: Any])["oracle"] != nil)
        #expect((json["train"] as! [String: Any])["examples_per_second"] != nil)
    }

    @Test(arguments: [LogQMode.static, .streaming])
    func logQAndMixedNegativesTrain(logQ: LogQMode) throws {
        var run = Self.smallRun(logQ: logQ, samplers: [.inBatch, .crossBatch(capacity: 512), .uniform(count: 64)])
        run.training.epochs = 3
        let report = try run.run()
        let random = report.baselines.first { $0.name == "random" }!.result.dictionary["recall@20"]!
        #expect(report.metrics.dictionary["recall@20"]! > 2 * random)
    }

    @Test func sameSeedSameModel() throws {
        var a = Self.smallRun(samplers: [.inBatch, .popularity(count: 32)])
        a.training.epochs = 2
        let first = try a.run().metrics
        let second = try a.run().metrics
        #expect(first == second)
    }

    @Test func checkpointRoundTripGivesIdenticalScores() throws {
        let dir = temporaryDirectory("checkpoint")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var run = Self.smallRun()
        run.training.epochs = 1
        run.model.tower = .mlp
        run.model.hiddenLayers = [24]
        run.model.l2Normalize = true
        run.model.userHistory = 5
        run.output = dir
        _ = try run.run()
        let checkpoint = try ModelCheckpoint.load(from: dir)
        let model = try checkpoint.model()
        let prepared = try run.data.prepare(seed: run.training.seed)
        // Rebuild the trained model deterministically and compare scores bit for bit.
        let train = prepared.split.train
        let history = EntityFeature.history(users: train.users, items: train.items, timestamps: train.timestamps,
                                            userCount: prepared.userCount, itemCount: prepared.itemCount, count: 5)
        let again = TwoTowerModel(configuration: run.model, userCount: prepared.userCount, itemCount: prepared.itemCount,
                                  userFeatures: [history], seed: run.training.seed)
        let trainer = try Trainer(model: again, configuration: run.training, itemCounts: prepared.split.trainItemCounts)
        _ = try trainer.fit(prepared.split.train)
        let users: [Int32] = [0, 5, 17, 399], items = (0..<200).map { Int32($0) }
        #expect(model.scores(users: users, items: items) == again.scores(users: users, items: items))
        #expect(checkpoint.users == prepared.split.train.userVocabulary)
        #expect(checkpoint.trainItemsByUser.count == prepared.userCount)
        #expect(model.queryTower.featureNames == ["history"])
    }

    @Test func earlyStoppingKeepsTheBestEpoch() throws {
        var run = Self.smallRun(logQ: .static)
        run.training.epochs = 8
        run.training.patience = 1
        run.training.learningRate = 0.05
        let report = try run.run()
        let history = report.training.validation
        #expect(history.count == report.training.epochs && report.training.epochs <= 8)
        #expect(history[report.training.bestEpoch - 1] == history.max())
        if report.training.epochs < 8 {
            #expect(history.last! <= history[report.training.bestEpoch - 1])
        }
    }

    /// LightGCN files with a given test file: a validation set is carved out of train for early
    /// stopping, test ids map through the train vocabularies, unknown test items are counted.
    @Test func givenTestFileWithEarlyStopping() throws {
        let dir = temporaryDirectory("lightgcn")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = SyntheticDataset.generate(SyntheticConfiguration(users: 300, items: 150, interactions: 9_000, factors: 8, seed: 9)).log
        var train = [Int: [Int32]](), test = [Int: [Int32]]()
        for k in 0..<log.count {
            let u = Int(log.users[k])
            if (train[u]?.count ?? 0) < 4 || k % 5 != 0 { train[u, default: []].append(log.items[k]) }
            else { test[u, default: []].append(log.items[k]) }
        }
        test[0, default: []].append(9_999)  // an item never seen in training
        func write(_ lists: [Int: [Int32]], _ name: String) throws {
            let text = lists.keys.sorted().map { u in ([String(u)] + lists[u]!.map { String($0) }).joined(separator: " ") }
            try text.joined(separator: "\n").appending("\n").write(toFile: "\(dir)/\(name)", atomically: true, encoding: .utf8)
        }
        try write(train, "train.txt")
        try write(test, "test.txt")
        var run = TrainingRun()
        run.data.path = "\(dir)/train.txt"
        run.model.dimensions = 16
        run.training.epochs = 3
        run.training.batchSize = 128
        run.training.learningRate = 0.02
        run.evaluation.ks = [10, 20]
        #expect(run.training.patience != nil, "early stopping is the default")
        let report = try run.run()
        #expect(report.training.validation.count == report.training.epochs)
        #expect(report.notes.contains { $0.contains("0 unknown users and 1 unknown items") }, "\(report.notes)")
        let random = report.baselines.first { $0.name == "random" }!.result.dictionary["recall@20"]!
        #expect(report.metrics.dictionary["recall@20"]! > random)
    }

    @Test func dataWithNothingToHoldOutIsAnError() throws {
        let dir = temporaryDirectory("tiny")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "user_id,item_id\n1,2\n2,3\n".write(toFile: "\(dir)/tiny.csv", atomically: true, encoding: .utf8)
        var run = TrainingRun()
        run.data.path = "\(dir)/tiny.csv"
        run.training.patience = nil
        do {
            _ = try run.run()
            Issue.record("a log with one interaction per user was trained and evaluated on nothing")
        } catch {
            let message = "\(error)"
            #expect(message.contains("split \"leave-one-out\": holds out nothing"), "\(message)")
            #expect(message.contains("at least 2 interactions") && message.contains("the most any user has is 1"), "\(message)")
        }
    }

    /// A time split leaves one training interaction per user: no validation item can be carved out
    /// of it, and the message counts training interactions, not all of them.
    @Test func anEmptyValidationSetCountsTrainingInteractions() throws {
        let dir = temporaryDirectory("tiny-time")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rows = (1...4).flatMap { u in ["\(u),\(u),100", "\(u),\(u + 10),200"] }
        try (["user_id,item_id,timestamp"] + rows).joined(separator: "\n").write(toFile: "\(dir)/log.csv", atomically: true, encoding: .utf8)
        var run = TrainingRun()
        run.data.path = "\(dir)/log.csv"
        run.data.timestampColumn = "timestamp"
        run.data.split = .timeCutoff(cutoff: 150, validationCutoff: nil)
        do {
            _ = try run.run()
            Issue.record("trained with an empty validation set")
        } catch {
            #expect("\(error)".contains("the validation set is empty (a user needs at least 2 training interactions"), "\(error)")
        }
    }

    @Test func badConfigurationsAreErrors() {
        var run = Self.smallRun()
        run.training.learningRate = -1
        #expect(throws: ConfigurationError.self) { try run.run() }
        run = Self.smallRun()
        run.training.patience = 2
        run.training.validationMetric = "recall@7"
        #expect(throws: ConfigurationError.self) { try run.validate() }
        run = Self.smallRun(logQ: .sampler, samplers: [.inBatch])
        #expect(throws: ConfigurationError.self) { try run.run() }
    }
}

@Suite struct DivergenceTests {
    /// A learning rate far too high makes the loss overflow: training stops with an error naming
    /// the step and the likely cause instead of producing a NaN model.
    @Test func nonFiniteLossStopsTrainingWithAHint() throws {
        var run = TrainingRunTests.smallRun()
        run.training.optimizer = .sgd
        run.training.learningRate = 1e30
        do {
            _ = try run.run()
            Issue.record("training with a learning rate of 1e30 did not stop")
        } catch let error as TrainingError {
            guard case let .nonFiniteLoss(_, step, _, _, _) = error else { Issue.record("\(error)"); return }
            #expect(step >= 1)
            #expect(error.description.contains("learning rate"))
        }
    }
}
