import Testing
import TowerCore
import TowerTestSupport
@testable import TwoTower

/// Finite-difference checks of scorer + loss. Central differences with step 1e-2 on Float losses:
/// rounding contributes ~1e-5, the O(ε²) truncation ~1e-3 at these curvatures; tolerance 5e-3
/// relative to max(1, |gradient|).
@Suite struct ScorerGradientTests {
    let tolerance: Float = 5e-3

    /// In-batch (with a duplicated item → off-diagonal false negatives) + detached cache-like rows
    /// + live corpus rows, logQ from a table, temperature 0.5, both orders, both losses.
    @Test(arguments: [(TemperatureOrder.logQThenTemperature, RetrievalLoss.softmaxCrossEntropy),
                      (.temperatureThenLogQ, .softmaxCrossEntropy), (.logQThenTemperature, .bpr)])
    func mixedNegatives(order: TemperatureOrder, loss: RetrievalLoss) throws {
        let b = 5, d = 3
        let q = randomMatrix(rows: b, columns: d, seed: 1), i = randomMatrix(rows: b, columns: d, seed: 2)
        let ids = [4, 1, 4, 7, 2]
        let cached = FixedSampler(rows: randomMatrix(rows: 4, columns: d, seed: 3), ids: [1, 8, 9, 4], flow: .none)
        let corpus = FixedSampler(rows: randomMatrix(rows: 3, columns: d, seed: 4), ids: [7, 5, 6], flow: .sampledItems)
        let table = try ItemFrequencyTable(frequencies: (0..<10).map { Float(10 - $0) })
        let scorer = ItemRetrievalScorer(samplers: [InBatchSampler(), cached, corpus], logitsTemperature: 0.5,
                                         logQCorrection: .frequencyTable(table, regFactor: 0.7), temperatureOrder: order)
        let weights: [Float] = [1, 0.5, 2, 1, 1.5]
        _ = try scorerLoss(scorer, q, i, ids, loss: loss, weights: weights)
        let g = scorer.backward()
        let dq = g.query, di = g.items
        #expect(g.sampledNegatives.count == 1)
        let dn = g.sampledNegatives[0].embeddings
        #expect(g.sampledNegatives[0].ids == [7, 5, 6] && g.sampledNegatives[0].samplerIndex == 2)
        #expect(dn.rows == 3 && dn.columns == d)
        let corpusRows = corpus.rows
        #expect(try finiteDifferenceError(q, analytic: dq) { try scorerLoss(scorer, $0, i, ids, loss: loss, weights: weights) } < tolerance)
        #expect(try finiteDifferenceError(i, analytic: di) { try scorerLoss(scorer, q, $0, ids, loss: loss, weights: weights) } < tolerance)
        #expect(try finiteDifferenceError(corpusRows, analytic: dn) {
            corpus.rows = $0
            defer { corpus.rows = corpusRows }
            return try scorerLoss(scorer, q, i, ids, loss: loss, weights: weights)
        } < tolerance)
    }

    /// The cache's rows influence the loss (and dQ) but receive no gradient matrix.
    @Test func cachedRowsGetNoGradient() throws {
        let cache = CachedCrossBatchSampler(capacity: 8)
        let scorer = ItemRetrievalScorer(samplers: [InBatchSampler(), cache])
        for step in 0..<3 {
            let q = randomMatrix(rows: 4, columns: 2, seed: UInt64(step)), i = randomMatrix(rows: 4, columns: 2, seed: UInt64(10 + step))
            let s = try scorer(query: q, items: withIds(i, Array(step * 4 ..< step * 4 + 4)), training: true)
            _ = scorer.lossAndGradient(s)
            let g = scorer.backward()
            #expect(g.sampledNegatives.isEmpty && g.items.rows == 4 && g.query.rows == 4)
            #expect(s.segments.last?.gradientFlow == (step == 0 ? .batchItems : NegativeGradientFlow.none))
        }
    }

    @Test func singleRowBatch() throws {
        let q = randomMatrix(rows: 1, columns: 4, seed: 1), i = randomMatrix(rows: 1, columns: 4, seed: 2)
        let scorer = ItemRetrievalScorer(samplers: [InBatchSampler()])
        let s = try scorer(query: q, items: withIds(i, [3]), training: true)
        #expect(s.logits.columns == 2 && s.logits[0, 1] == -655.04)
        #expect(scorer.lossAndGradient(s) == 0)
        let g = scorer.backward()
        #expect(g.query.storage.allSatisfy { $0 == 0 } && g.items.storage.allSatisfy { $0 == 0 })
        // With an extra live negative the gradient is non-trivial and checks out.
        let corpus = FixedSampler(rows: randomMatrix(rows: 2, columns: 4, seed: 3), ids: [8, 9], flow: .sampledItems)
        let mixed = ItemRetrievalScorer(samplers: [InBatchSampler(), corpus], logitsTemperature: 0.5)
        _ = try scorerLoss(mixed, q, i, [3])
        let dq = mixed.backward().query
        #expect(try finiteDifferenceError(q, analytic: dq) { try scorerLoss(mixed, $0, i, [3]) } < tolerance)
    }

    /// A smaller last batch reuses the larger buffers; d = 1 is a valid shape.
    @Test(arguments: [1, 4])
    func smallerLastBatch(d: Int) throws {
        let scorer = ItemRetrievalScorer(samplers: [InBatchSampler(batchSize: 6)], logitsTemperature: 0.7)
        _ = try scorerLoss(scorer, randomMatrix(rows: 6, columns: d, seed: 9), randomMatrix(rows: 6, columns: d, seed: 8), Array(0..<6))
        _ = scorer.backward()
        let q = randomMatrix(rows: 3, columns: d, seed: 1), i = randomMatrix(rows: 3, columns: d, seed: 2)
        let ids = [1, 2, 3]
        let s = try scorer(query: q, items: withIds(i, ids), training: true)
        #expect(s.logits.rows == 3 && s.logits.columns == 4)
        _ = scorer.lossAndGradient(s)
        let g = scorer.backward()
        #expect(g.query.rows == 3 && g.query.columns == d)
        let dq = g.query, di = g.items
        #expect(try finiteDifferenceError(q, analytic: dq) { try scorerLoss(scorer, $0, i, ids) } < tolerance)
        #expect(try finiteDifferenceError(i, analytic: di) { try scorerLoss(scorer, q, $0, ids) } < tolerance)
    }

    /// Every row has the same item: all in-batch negatives are false negatives and carry no
    /// gradient; only the corpus rows compete.
    @Test func allSameItemBatch() throws {
        let q = randomMatrix(rows: 4, columns: 3, seed: 1), i = randomMatrix(rows: 4, columns: 3, seed: 2)
        let ids = [7, 7, 7, 7]
        let corpus = FixedSampler(rows: randomMatrix(rows: 2, columns: 3, seed: 5), ids: [1, 2], flow: .sampledItems)
        let scorer = ItemRetrievalScorer(samplers: [InBatchSampler(), corpus])
        let s = try scorer(query: q, items: withIds(i, ids), training: true)
        #expect(s.validNegativesMask.enumerated().allSatisfy { ($0.offset % 6 >= 4) == $0.element })
        let loss = scorer.lossAndGradient(s)
        #expect(loss.isFinite && loss > 0)
        let g = scorer.backward()
        let dq = g.query, di = g.items
        #expect(try finiteDifferenceError(q, analytic: dq) { try scorerLoss(scorer, $0, i, ids) } < tolerance)
        #expect(try finiteDifferenceError(i, analytic: di) { try scorerLoss(scorer, q, $0, ids) } < tolerance)
    }

    /// Dot products of ±1e4 after temperature 0.05: no overflow, loss and gradients finite and
    /// equal to a Double evaluation of the same logits.
    @Test func hugeLogitsStayFinite() throws {
        var q = randomMatrix(rows: 8, columns: 4, seed: 1), i = randomMatrix(rows: 8, columns: 4, seed: 2)
        for k in 0..<q.count { q.storage[k] *= 30; i.storage[k] *= 30 }
        let scorer = ItemRetrievalScorer(samplers: [InBatchSampler()], logitsTemperature: 0.05)
        let s = try scorer(query: q, items: withIds(i, Array(0..<8)), training: true)
        let loss = scorer.lossAndGradient(s)
        var expected = 0.0
        for r in 0..<8 {
            let row = (0..<9).map { Double(s.logits[r, $0]) }
            let m = row.max()!
            expected += m + log(row.reduce(0) { $0 + exp($1 - m) }) - row[0]
        }
        expected /= 8
        #expect(loss.isFinite && abs(Double(loss) - expected) <= 1e-4 * max(1, expected))
        let g = scorer.backward()
        #expect(g.query.storage.allSatisfy { $0.isFinite } && g.items.storage.allSatisfy { $0.isFinite })
        _ = try scorerLoss(scorer, q, i, Array(0..<8), loss: .bpr)
        let gb = scorer.backward()
        #expect(gb.query.storage.allSatisfy { $0.isFinite })
    }

    /// A real corpus sampler end to end: ids first, then embeddings, then gradients by id.
    @Test func corpusSamplerFlow() throws {
        let uniform = UniformCorpusSampler(maxId: 50, maxNumSamples: 6, seed: 2)
        let scorer = ItemRetrievalScorer(samplers: [InBatchSampler(), uniform])
        let q = randomMatrix(rows: 4, columns: 3, seed: 1), i = randomMatrix(rows: 4, columns: 3, seed: 2)
        let drawn = uniform.sampleIds()
        try uniform.provideEmbeddings(randomMatrix(rows: 6, columns: 3, seed: 7))
        let s = try scorer(query: q, items: withIds(i, [1, 2, 3, 4]), training: true)
        #expect(s.logits.columns == 11 && Array(s.negativeItemIds.suffix(6)) == drawn)
        _ = scorer.lossAndGradient(s)
        let g = scorer.backward()
        #expect(g.sampledNegatives.count == 1 && g.sampledNegatives[0].ids == drawn && g.sampledNegatives[0].embeddings.rows == 6)
    }
}

import Foundation
