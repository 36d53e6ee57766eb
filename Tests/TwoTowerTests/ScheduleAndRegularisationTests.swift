import Foundation
import Testing
import TowerData
import TowerNN
@testable import TwoTower

/// Learning-rate warm-up and decay, the embedding L2 penalty and weight decay: validation, the
/// schedule a run gets, and what `fit` does with it.
@Suite struct ScheduleAndRegularisationTests {
    func error(_ c: TrainingConfiguration) -> String? {
        do { try c.validate(); return nil } catch let e as ConfigurationError { return e.message } catch { return "\(error)" }
    }

    @Test func settingsThatDoNotApplyOrAreOutOfRangeAreErrors() {
        var c = TrainingConfiguration()
        c.learningRateDecayRate = 0.5
        #expect(error(c) == "learningRateDecayRate applies to learningRateDecay exponential only (the decay is none)")
        c.learningRateDecay = .exponential
        #expect(error(c) == nil)
        c.learningRateDecayRate = 1.5
        #expect(error(c)?.hasPrefix("learningRateDecayRate must be in (0, 1]") == true)

        var floor = TrainingConfiguration()
        floor.minimumLearningRate = 0.001
        #expect(error(floor)?.hasPrefix("minimumLearningRate applies to learningRateDecay cosine or linear only") == true)
        floor.learningRateDecay = .cosine
        #expect(error(floor) == nil)
        floor.minimumLearningRate = floor.learningRate
        #expect(error(floor)?.hasPrefix("minimumLearningRate must be in [0, learningRate") == true)

        var warm = TrainingConfiguration()
        warm.warmupSteps = -1
        #expect(error(warm) == "warmupSteps must be ≥ 0, found -1")

        var l2 = TrainingConfiguration()
        l2.embeddingL2 = -1e-4
        #expect(error(l2) == "embeddingL2 must be a number ≥ 0, found -0.0001")
        l2.embeddingL2 = .nan
        #expect(error(l2)?.hasPrefix("embeddingL2 must be a number") == true)

        var adagrad = TrainingConfiguration()
        adagrad.optimizer = .adagrad
        adagrad.weightDecay = 1e-4
        #expect(error(adagrad)?.hasPrefix("weightDecay is not applied by optimizer adagrad") == true)
    }

    /// Warm-up, then the decay over the rest of `epochs · stepsPerEpoch` steps.
    @Test func theScheduleSpansTheEpochMaximumAfterWarmup() throws {
        var c = TrainingConfiguration()
        c.epochs = 3
        c.learningRate = 0.01
        #expect(c.schedule(stepsPerEpoch: 10) == nil)  // constant
        c.warmupSteps = 4
        let warmOnly = try #require(c.schedule(stepsPerEpoch: 10))
        #expect(warmOnly.learningRate(atStep: 0) == 0.0025 && warmOnly.learningRate(atStep: 29) == 0.01)

        c.learningRateDecay = .cosine
        c.minimumLearningRate = 0.001
        let cosine = try #require(c.schedule(stepsPerEpoch: 10))
        #expect(abs(cosine.learningRate(atStep: 1) - 0.005) < 1e-9)
        #expect(cosine.learningRate(atStep: 4) == 0.01)                       // decay starts
        #expect(abs(cosine.learningRate(atStep: 4 + 13) - 0.0055) < 1e-7)     // half of 26 decay steps
        #expect(abs(cosine.learningRate(atStep: 30) - 0.001) < 1e-9)          // the end of epoch 3

        var e = TrainingConfiguration()
        e.learningRate = 0.1
        e.learningRateDecay = .exponential
        e.learningRateDecayRate = 0.5
        let exponential = try #require(e.schedule(stepsPerEpoch: 8))
        #expect(abs(exponential.learningRate(atStep: 8) - 0.05) < 1e-8 && abs(exponential.learningRate(atStep: 4) - 0.1 * Float(sqrt(0.5))) < 1e-7)
    }

    /// `fit` sets the decay from the real number of batches: the last step of a linear decay to 0
    /// over 2 epochs runs at `learningRate / (epochs · batches)`.
    @Test func fitDecaysOverTheRunsSteps() throws {
        var m = ModelConfiguration()
        m.tower = .mf
        m.dimensions = 4
        let model = TwoTowerModel(configuration: m, userCount: 10, itemCount: 10, seed: 1)
        var c = TrainingConfiguration()
        c.epochs = 2
        c.batchSize = 4
        c.patience = nil
        c.learningRate = 0.01
        c.learningRateDecay = .linear
        let users: [Int32] = (0..<12).map { Int32($0 % 10) }, items: [Int32] = (0..<12).map { Int32(($0 * 3) % 10) }
        let ids = (0..<10).map { "\($0)" }
        let log = InteractionLog(users: users, items: items, userVocabulary: Vocabulary(name: "user", ids: ids),
                                 itemVocabulary: Vocabulary(name: "item", ids: ids))
        let trainer = try Trainer(model: model, configuration: c, itemCounts: [Int](repeating: 1, count: 10))
        _ = try trainer.fit(log)
        #expect(trainer.optimizer.stepCount == 6)
        #expect(abs(trainer.optimizer.learningRate - 0.01 / 6) < 1e-8, "last step's rate \(trainer.optimizer.learningRate)")
    }

    /// Configurations saved before these fields existed decode to "off", and set values round-trip.
    @Test func newFieldsDecodeFromOldConfigurations() throws {
        var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(TrainingConfiguration())) as! [String: Any]
        #expect(old["embeddingL2"] == nil && old["learningRateDecay"] == nil)
        old["loss"] = "softmax"
        let decoded = try JSONDecoder().decode(TrainingConfiguration.self, from: JSONSerialization.data(withJSONObject: old))
        #expect(decoded == TrainingConfiguration() && decoded.schedule(stepsPerEpoch: 5) == nil)
        // The penalty's default depends on the loss.
        #expect(decoded.resolvedEmbeddingL2 == TrainingConfiguration.defaultEmbeddingL2)
        var bpr = decoded
        bpr.loss = .bpr
        #expect(bpr.resolvedEmbeddingL2 == 0)
        bpr.embeddingL2 = 0.2
        #expect(bpr.resolvedEmbeddingL2 == 0.2)
        var set = TrainingConfiguration()
        set.embeddingL2 = 1e-4
        set.learningRateDecay = .cosine
        set.minimumLearningRate = 1e-4
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: JSONEncoder().encode(set)) == set)
    }
}
