import Foundation
import Testing
@testable import TwoTower

/// Configuration errors name the configuration's fields; a front end can rename them.
@Suite struct ConfigurationValidationTests {
    func error(_ body: () throws -> Void) -> ConfigurationError? {
        do { try body(); return nil } catch let e as ConfigurationError { return e } catch { return nil }
    }

    @Test func errorsNameFields() {
        var m = ModelConfiguration()
        m.dimensions = 0
        let e = error { try m.validate() }
        #expect(e?.message == "dimensions must be positive, found 0" && e?.field == "dimensions")
        #expect(e?.message(naming: { "--\($0)" }) == "--dimensions must be positive, found 0")

        var h = ModelConfiguration()
        h.userHistory = 5
        #expect(error { try h.validate() }?.message(naming: { $0.uppercased() }) == "USERHISTORY needs TOWER mlp (an mf tower has no side features)")

        var t = TrainingConfiguration()
        t.batchSize = -3
        #expect(error { try t.validate() }?.message.hasPrefix("batchSize must be positive") == true)
    }

    /// `logQ: .sampler` takes its probabilities from exactly one popularity or uniform sampler.
    @Test func samplerLogQNeedsOneProbabilitySampler() {
        var t = TrainingConfiguration()
        t.logQ = .sampler
        t.samplers = [.uniform(count: 8)]
        #expect(error { try t.validate() } == nil)
        t.samplers = [.inBatch, .popularity(count: 8)]
        #expect(error { try t.validate() }?.field == "logQ")
        t.samplers = [.inBatch]
        #expect(error { try t.validate() }?.field == "logQ")
    }

    /// Caches (cross-batch, cached-uniform) are empty at the first step: alone they give no negatives.
    @Test func cachesAloneAreRejectedUpFront() {
        var t = TrainingConfiguration()
        for caches: [SamplerSpecification] in [[.crossBatch(capacity: 64)], [.cachedUniform(capacity: 8)],
                                                [.crossBatch(capacity: 16), .cachedUniform(capacity: 32)]] {
            t.samplers = caches
            let e = error { try t.validate() }
            #expect(e?.field == "samplers")
            let message = e?.message(naming: { "--\($0)" }) ?? ""
            #expect(message.contains("empty at the first step") && message.contains("--samplers in-batch --samplers \(caches[0])"),
                    "\(message)")
            for cache in caches { #expect(message.contains(cache.description)) }
        }
        for mixed: [SamplerSpecification] in [[.inBatch, .crossBatch(capacity: 64)], [.uniform(count: 4), .cachedUniform(capacity: 8)],
                                               [.cachedUniform(capacity: 8), .popularity(count: 4)]] {
            t.samplers = mixed
            #expect(error { try t.validate() } == nil, "\(mixed)")
        }
        #expect(SamplerSpecification.crossBatch(capacity: 1).isCache && SamplerSpecification.cachedUniform(capacity: 1).isCache)
        #expect(![SamplerSpecification.inBatch, .uniform(count: 1), .popularity(count: 1)].contains { $0.isCache })
    }

    /// `lossReduction`, `cclMargin` and `cclNegativeWeight` came after models were saved: a
    /// config.json without them decodes to the defaults (mean, 0.9, 1), and set values round-trip.
    @Test func newLossFieldsDecodeFromOldConfigurations() throws {
        var old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(TrainingConfiguration())) as! [String: Any]
        #expect(old["lossReduction"] == nil && old["cclMargin"] == nil && old["cclNegativeWeight"] == nil)
        old["loss"] = "softmax"
        let decoded = try JSONDecoder().decode(TrainingConfiguration.self, from: JSONSerialization.data(withJSONObject: old))
        #expect(decoded == TrainingConfiguration())
        #expect(decoded.reduction == .mean && decoded.cclParameters == CosineContrastiveParameters(margin: 0.9, negativeWeight: 1))
        var set = TrainingConfiguration()
        set.lossReduction = .sum
        set.loss = .ccl
        set.cclMargin = 0.5
        set.cclNegativeWeight = 20
        let again = try JSONDecoder().decode(TrainingConfiguration.self, from: JSONEncoder().encode(set))
        #expect(again == set && again.reduction == .sum && again.cclParameters.margin == 0.5)
    }

    /// CCL scores raw cosines: logQ and a temperature are errors, and so is a margin outside [-1, 1).
    @Test func cclNeedsRawCosineScores() {
        var t = TrainingConfiguration()
        t.loss = .ccl
        #expect(error { try t.validate() }?.field == "logQ")  // the default logQ is streaming
        t.logQ = .none
        #expect(error { try t.validate() } == nil)
        t.temperature = 0.05
        #expect(error { try t.validate() }?.field == "temperature")
        t.temperature = 1
        t.cclMargin = 1
        #expect(error { try t.validate() }?.field == "cclMargin")
        t.cclMargin = 0.5
        t.cclNegativeWeight = -1
        #expect(error { try t.validate() }?.field == "cclNegativeWeight")
        t.cclNegativeWeight = 0
        #expect(error { try t.validate() } == nil)
        // Without L2-normalised towers the trainer refuses it.
        t.batchSize = 4
        let model = TwoTowerModel(configuration: ModelConfiguration(), userCount: 3, itemCount: 3, seed: 1)
        #expect(error { _ = try Trainer(model: model, configuration: t, itemCounts: [1, 1, 1]) }?.field == "l2Normalize")
    }

    @Test func templatesWithoutFields() {
        let e = ConfigurationError("plain text, no field")
        #expect(e.field == nil && e.message == "plain text, no field" && e.message(naming: { _ in "x" }) == "plain text, no field")
    }
}
