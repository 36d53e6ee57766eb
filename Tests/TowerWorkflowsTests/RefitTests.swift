import Foundation
import Testing
import TowerData
import TowerFormats
import TowerTestSupport
@testable import TowerWorkflows
@testable import TwoTower

/// The refit after early stopping: a fresh model trained for the best epoch's count on train +
/// validation is the one evaluated and saved; the test part is ranked against the whole training
/// part (validation items excluded like training items).
@Suite struct RefitTests {
    static func run(split: SplitStrategy = .ratio(train: 0.75, validation: 0)) -> TrainingRun {
        var run = TrainingRun()
        run.data.synthetic = SyntheticConfiguration(users: 300, items: 150, interactions: 9_000, factors: 6, seed: 9)
        run.data.split = split
        run.model.dimensions = 8
        run.training.epochs = 6
        run.training.batchSize = 128
        run.training.learningRate = 0.02
        run.training.patience = 2
        run.evaluation.ks = [10, 20]
        return run
    }

    /// The saved model is exactly a fresh model (same seed) trained `bestEpoch` epochs on the
    /// training part — rebuilt here step by step and compared bit for bit, with an MLP tower
    /// whose history feature must come from train + validation too.
    @Test func theKeptModelIsAFreshModelTrainedOnTrainPlusValidation() throws {
        let dir = temporaryDirectory("refit")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var run = Self.run()
        run.model.tower = .mlp
        run.model.hiddenLayers = [12]
        run.model.userHistory = 4
        run.output = dir
        let report = try run.run()
        let refit = try #require(report.refit)
        #expect(refit.epochs == report.training.bestEpoch)

        let prepared = try run.data.prepare(seed: run.training.seed, validation: true)
        let validation = try #require(prepared.split.validation)
        #expect(validation.count > 0)
        let whole = prepared.split.trainingPart
        #expect(refit.interactions == prepared.split.train.count + validation.count)
        #expect(whole.count == refit.interactions)
        let history = EntityFeature.history(users: whole.users, items: whole.items, timestamps: whole.timestamps,
                                            userCount: prepared.userCount, itemCount: prepared.itemCount, count: 4)
        let again = TwoTowerModel(configuration: run.model, userCount: prepared.userCount, itemCount: prepared.itemCount,
                                  userFeatures: [history], seed: run.training.seed)
        var settings = run.training
        settings.epochs = report.training.bestEpoch
        settings.patience = nil
        _ = try Trainer(model: again, configuration: settings, itemCounts: whole.rowCounts().items).fit(whole)
        let saved = try ModelCheckpoint.load(from: dir).model()
        let users: [Int32] = [0, 7, 150, 299], items = (0..<150).map { Int32($0) }
        #expect(saved.scores(users: users, items: items) == again.scores(users: users, items: items))

        // `evaluate` of the saved model reproduces the run's test metrics.
        let evaluated = try ModelEvaluation.evaluateSaved(modelDirectory: dir, data: run.data, settings: run.evaluation)
        #expect(evaluated.metrics == report.metrics)
    }

    @Test func noRefitKeepsTheEarlyStoppedModel() throws {
        var refitted = Self.run(), kept = Self.run()
        kept.refit = false
        let a = try refitted.run(), b = try kept.run()
        #expect(a.refit != nil && b.refit == nil)
        #expect(a.training.validation == b.training.validation && a.training.bestEpoch == b.training.bestEpoch,
                "the first pass is the same")
        #expect(a.metrics != b.metrics)
        refitted.training.patience = nil
        #expect(try refitted.run().refit == nil, "no validation set: nothing to refit")
    }

    /// Ctrl-C in the first pass: no refit; the early-stopped parameters are kept and evaluated.
    @Test func anInterruptedRunIsNotRefitted() throws {
        var run = Self.run()
        let stop = StopRequest()
        run.stop = stop
        let observer = StopRequestTests.StopAt(stop, epoch: 2, step: 2)
        let report = try run.run(progress: observer)
        #expect(report.training.interrupted)
        #expect(report.refit == nil)
        #expect(!observer.messages.contains { $0.hasPrefix("refit") }, "\(observer.messages)")
    }

    /// Ctrl-C during the refit keeps the complete early-stopped model instead of a half-trained one.
    @Test func aRefitInterruptedKeepsTheEarlyStoppedModel() throws {
        final class StopInRefit: TrainingObserver {
            let stop: StopRequest
            var refitting = false, messages: [String] = []
            init(_ stop: StopRequest) { self.stop = stop }
            func refitBegan(epochs: Int, interactions: Int) { refitting = true }
            func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int) {
                if refitting, step == 1 { _ = stop.request() }
            }
            func message(_ text: String) { messages.append(text) }
        }
        var run = Self.run(), plain = Self.run()
        plain.refit = false
        let stop = StopRequest()
        run.stop = stop
        let observer = StopInRefit(stop)
        let report = try run.run(progress: observer)
        #expect(observer.refitting)
        #expect(report.refit == nil)
        #expect(report.metrics == (try plain.run()).metrics, "the early-stopped model was evaluated")
        #expect(observer.messages.contains { $0.hasPrefix("refit interrupted") }, "\(observer.messages)")
    }

    /// A validation item is a known item of its user: the test ranking excludes it, the
    /// popularity baseline counts it, and the saved model's seen lists hold it.
    @Test func testRankingExcludesTheValidationItems() throws {
        let dir = temporaryDirectory("refit-seen")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var run = Self.run(split: .leaveOneOut(validation: false))
        run.output = dir
        run.training.epochs = 1
        _ = try run.run()
        let split = try run.data.prepare(seed: run.training.seed, validation: true).split
        let validation = try #require(split.validation)
        let heldOut = ModelEvaluation.HeldOut.test(split)
        let saved = try ModelCheckpoint.load(from: dir)
        for (user, item) in zip(validation.users, validation.items).prefix(50) {
            #expect(heldOut.excludedByUser[Int(user)].contains(item))
            #expect(!split.trainItemsByUser.contains(user: Int(user), item: item), "carved out of train")
            #expect(saved.trainItemsByUser[Int(user)].contains(item))
        }
        var counts = split.trainItemCounts
        for item in validation.items { counts[Int(item)] += 1 }
        #expect(heldOut.itemCounts == counts)
        #expect(split.trainingPart.count == split.train.count + validation.count)
    }

    /// The run record carries the refit, and decodes.
    @Test func theRunRecordHoldsTheRefit() throws {
        let report = try Self.run().run()
        let refit = try #require(report.refit)
        let record = try JSONDecoder().decode(RunRecord.self, from: report.json())
        #expect(record.train.refit?.epochs == refit.epochs)
        #expect(record.train.refit?.interactions == refit.interactions)
        var plain = Self.run()
        plain.refit = false
        #expect(try JSONDecoder().decode(RunRecord.self, from: plain.run().json()).train.refit == nil)
    }

    @Test func progressCountsTheRefitEpochsAfresh() {
        let h = ProgressHarness()
        let progress = h.make(.lines(every: 0), totalEpochs: 9)
        progress.step(epoch: 5, step: 3, totalSteps: 3, loss: 1, examples: 10)
        progress.refitBegan(epochs: 4, interactions: 1200)
        #expect(h.output.last == "refit: a fresh model, 4 epochs on train + validation (1200 interactions)\n")
        progress.step(epoch: 1, step: 3, totalSteps: 3, loss: 1, examples: 10)
        #expect(h.output.last?.hasPrefix("refit epoch 1/4  step 3/3") == true, "\(h.output.last ?? "")")
    }
}
