import Testing
import TowerCore
import TowerTestSupport
@testable import TwoTower

@Suite struct ScorerTests {
    @Test func inBatchLogitsShapeAndInference() throws {
        let q = randomMatrix(rows: 6, columns: 4, seed: 1), i = randomMatrix(rows: 6, columns: 4, seed: 2)
        let scorer = ItemRetrievalScorer(samplers: [InBatchSampler()])
        let s = try scorer(query: q, items: withIds(i, Array(10..<16)), training: true)
        #expect(s.logits.rows == 6 && s.logits.columns == 7)
        #expect(s.negativeItemIds == Array(10..<16) && s.positiveItemIds == Array(10..<16))
        #expect(s.segments == [NegativeSegment(samplerIndex: 0, offset: 0, count: 6, gradientFlow: .batchItems)])
        let inf = try scorer(query: q, items: withIds(i, Array(10..<16)), training: false)
        #expect(inf.logits.rows == 6 && inf.logits.columns == 1)
        for r in 0..<6 {
            let dot = (0..<4).reduce(Float(0)) { $0 + q[r, $1] * i[r, $1] }
            #expect(abs(inf.logits[r, 0] - dot) < 1e-5)
        }
    }

    @Test func errorsWithMerlinsMeaning() throws {
        let q = randomMatrix(rows: 3, columns: 2, seed: 1), i = randomMatrix(rows: 3, columns: 2, seed: 2)
        let none = ItemRetrievalScorer(samplers: [])
        #expect(throws: ScorerError.noSamplers) { _ = try none(query: q, items: withIds(i, [1, 2, 3]), training: true) }
        #expect(try none(query: q, items: withIds(i, [1, 2, 3]), training: false).logits.columns == 1)
        #expect(ScorerError.noSamplers.description == "At least one sampler is required by ItemRetrievalScorer for negative sampling")
        let cacheOnly = ItemRetrievalScorer(samplers: [CachedCrossBatchSampler(capacity: 10)])
        #expect(throws: ScorerError.noNegatives(samplers: ["CachedCrossBatchSampler"])) {
            _ = try cacheOnly(query: q, items: withIds(i, [1, 2, 3]), training: true)
        }
        let empty = ScorerError.noNegatives(samplers: ["CachedCrossBatchSampler"]).description
        #expect(empty.hasPrefix("No negative items were sampled from samplers CachedCrossBatchSampler"), "\(empty)")
        #expect(empty.contains("cannot be the only sampler") && empty.contains("InBatchSampler"), "\(empty)")
        let needsIds = ItemRetrievalScorer(samplers: [InBatchSampler()])
        #expect(throws: ScorerError.missingItemIds(source: "the positive items", feature: "item_id")) {
            _ = try needsIds(query: q, items: EmbeddingWithMetadata(embeddings: i), training: true)
        }
        let noDownscore = ItemRetrievalScorer(samplers: [InBatchSampler()], downscoreFalseNegatives: false)
        #expect(try noDownscore(query: q, items: EmbeddingWithMetadata(embeddings: i), training: true).logits.columns == 4)
    }

    /// Merlin's test: unique random ids, a custom score lands exactly on the diagonal of
    /// `logits[:, 1:]` and nowhere else.
    @Test func falseNegativesOnTheDiagonal() throws {
        var rng = Xoshiro256(seed: 8)
        var ids: [Int] = []
        while ids.count < 16 { let v = Int.random(in: 1...1_000_000, using: &rng); if !ids.contains(v) { ids.append(v) } }
        let q = randomMatrix(rows: 16, columns: 8, seed: 3), i = randomMatrix(rows: 16, columns: 8, seed: 4)
        let scorer = ItemRetrievalScorer(samplers: [InBatchSampler()], falseNegativeScore: -1e8)
        let s = try scorer(query: q, items: withIds(i, ids), training: true)
        let mask = s.validNegativesMask
        for r in 0..<16 {
            for c in 0..<16 {
                #expect((s.logits[r, 1 + c] == -1e8) == (r == c))
                #expect(mask[r * 16 + c] == (r != c))
            }
        }
    }

    /// In-batch + cross-batch: width `B + min(cached, capacity) + 1` across steps, with the
    /// cache sampled before the current batch is added.
    @Test func logitsWidthAcrossSteps() throws {
        let cache = CachedCrossBatchSampler(capacity: 20)
        let scorer = ItemRetrievalScorer(samplers: [InBatchSampler(), cache])
        var widths: [Int] = []
        for step in 0..<4 {
            let q = randomMatrix(rows: 8, columns: 4, seed: UInt64(step)), i = randomMatrix(rows: 8, columns: 4, seed: UInt64(step + 100))
            let s = try scorer(query: q, items: withIds(i, Array((step * 8) ..< (step * 8 + 8))), training: true)
            widths.append(s.logits.columns)
            #expect(s.negativeItemIds.count == s.logits.columns - 1)
        }
        #expect(widths == [9, 17, 25, 29])
    }

    /// Values from Reference/scorer_reference.py (NumPy, float64): in-batch, ids [5, 7, 5],
    /// T = 0.5, logQ from freq[id] = id + 1.
    @Test(arguments: [TemperatureOrder.logQThenTemperature, .temperatureThenLogQ])
    func matchesNumPyReference(order: TemperatureOrder) throws {
        let q = Matrix(rows: 3, columns: 2, values: [0.5, -1.0, 1.5, 0.25, -0.75, 2.0])
        let i = Matrix(rows: 3, columns: 2, values: [1.0, 0.5, -0.5, 1.25, 0.25, -1.5])
        let table = try ItemFrequencyTable(frequencies: (1...10).map(Float.init))
        let scorer = ItemRetrievalScorer(samplers: [InBatchSampler()], logitsTemperature: 0.5,
                                         logQCorrection: .frequencyTable(table), temperatureOrder: order)
        let s = try scorer(query: q, items: withIds(i, [5, 7, 5]), training: true)
        let merlin: [Float] = [4.43114743, -1305.64885, 0.855783287, -1305.64885, 2.98078329, 7.68114743,
                               -1306.22422, 4.43114743, -1.94385257, -1305.64885, 9.60578329, -1305.64885]
        let tfrs: [Float] = [2.21557372, -1307.86443, -1.07210836, -1307.86443, 1.05289164, 5.46557372,
                             -1308.15211, 2.21557372, -4.15942628, -1307.86443, 7.67789164, -1307.86443]
        #expect(maxScaledDifference(s.logits.storage, order == .logQThenTemperature ? merlin : tfrs) < 1e-5)
        guard order == .logQThenTemperature else { return }
        #expect(s.validNegativesMask == [false, true, false, true, false, true, false, true, false])
        let loss = scorer.lossAndGradient(s)
        #expect(abs(loss - 5.44146192) < 1e-5)
        let g = scorer.backward()
        #expect(maxScaledDifference(g.query.storage, [-0.0272422992, 0.0136211496, 0.972821845, -0.54499903, -0.49999518, 1.83331566]) < 1e-5)
        #expect(maxScaledDifference(g.items.storage, [0.945239571, 0.177214922, -1.48223777, 1.14993839, 0.536998195, -1.32715331]) < 1e-5)
        #expect(g.sampledNegatives.isEmpty)
        let s2 = try scorer(query: q, items: withIds(i, [5, 7, 5]), training: true)
        #expect(abs(scorer.lossAndGradient(s2, loss: .bpr) - 1.99418874) < 1e-5)
    }

    @Test func logQSourcesRaiseLogits() throws {
        let q = randomMatrix(rows: 4, columns: 3, seed: 1), i = randomMatrix(rows: 4, columns: 3, seed: 2)
        let ids = [0, 3, 5, 9]
        let plain = try ItemRetrievalScorer(samplers: [InBatchSampler()])(query: q, items: withIds(i, ids), training: true).logits
        let table = try ItemFrequencyTable(frequencies: (0..<10).map { Float(10 - $0) })
        let est = FrequencyEstimator(hashSize: 64)
        // Earlier steps with one item each, so every id's gap exceeds 1 step (q̂ < 1).
        for id in [0, 3, 5, 9, 2, 4] { est.update(ids: [id]) }
        for source in [LogQCorrection.frequencyTable(table, regFactor: 0.5), .frequencyEstimator(est)] {
            let corrected = try ItemRetrievalScorer(samplers: [InBatchSampler()], logQCorrection: source)(query: q, items: withIds(i, ids), training: true).logits
            for k in 0..<plain.count where plain.storage[k] > -600 { #expect(corrected.storage[k] > plain.storage[k]) }
        }
        #expect(est.step == 7)
        #expect(throws: ScorerError.idOutOfRange(id: 12, tableSize: 10)) {
            _ = try ItemRetrievalScorer(samplers: [InBatchSampler()], logQCorrection: .frequencyTable(table))(query: q, items: withIds(i, [0, 1, 2, 12]), training: true)
        }
        #expect(throws: ScorerError.self) { _ = try ItemFrequencyTable(frequencies: [1, -1]) }
        #expect(throws: ScorerError.self) { _ = try ItemFrequencyTable(frequencies: [0.5, 0.6], isProbabilityDistribution: true) }
        #expect(throws: ScorerError.self) {
            _ = try ItemRetrievalScorer(samplers: [InBatchSampler()], logQCorrection: .samplerProbabilities)(query: q, items: withIds(i, ids), training: true)
        }
    }

    /// Sampler probabilities: the popularity sampler's reported probabilities are subtracted per column.
    @Test func samplerProbabilityLogQ() throws {
        let pop = PopularityBasedSampler(maxId: 40, maxNumSamples: 6, seed: 3) { ids in
            Matrix(rows: ids.count, columns: 3, values: ids.flatMap { [Float($0) * 0.01, 0.1, -0.2] })
        }
        let scorer = ItemRetrievalScorer(samplers: [pop], logQCorrection: .samplerProbabilities)
        let q = randomMatrix(rows: 2, columns: 3, seed: 4), i = randomMatrix(rows: 2, columns: 3, seed: 5)
        let s = try scorer(query: q, items: withIds(i, [1, 2]), training: true)
        #expect(s.logits.columns == 7 && s.negativeItemIds == pop.lastIds)
        for n in 0..<6 {
            let id = pop.lastIds[n]
            let raw = (0..<3).reduce(Float(0)) { $0 + q[0, $1] * [Float(id) * 0.01, 0.1, -0.2][$1] }
            let expected = id == 1 ? -655.04 - Float(log(Double(pop.lastSampleProbabilities[n]) + 1e-16))
                                   : raw - Float(log(Double(pop.lastSampleProbabilities[n]) + 1e-16))
            #expect(abs(s.logits[0, 1 + n] - expected) < 1e-3)
        }
    }
}

import Foundation
