import Foundation
import Testing
import TowerCore
import TowerTestSupport
@testable import TwoTower

/// logQ with mixed negatives: every column of item j, and the positive, is corrected by
/// `q_j = W·f_j + Σ_c π_c(j)` (``NegativeMixture``) — checked against values computed here by hand
/// from the counts, the block sizes and the uniform sampler's `S/N`.
@Suite struct MixedNegativeLogQTests {
    let counts: [Float] = [5, 9, 1, 4, 2, 7, 3, 6]          // 8 items, total 37
    let positives = [0, 3, 5]
    let cacheIds = [1, 5]

    /// Blocks: in-batch (3 rows), a cache (2 stored rows), `uniform:2` and `popularity:2` draws.
    func scored(_ correction: LogQCorrection, rowsPerStep: Int? = nil)
        throws -> (scores: ItemRetrievalScores, raw: Matrix, ids: [Int], uniform: UniformCorpusSampler, popularity: PopularityBasedSampler) {
        let uniform = UniformCorpusSampler(maxId: 8, maxNumSamples: 2, seed: 9)
        let popularity = PopularityBasedSampler(maxId: 8, maxNumSamples: 2, seed: 4)
        let uniformIds = uniform.sampleIds(), popularityIds = popularity.sampleIds()
        let q = randomMatrix(rows: 3, columns: 2, seed: 1)
        let items = randomMatrix(rows: 3 + 2 + 2, columns: 2, seed: 2)   // [positives; uniform; popularity]
        let cache = randomMatrix(rows: 2, columns: 2, seed: 3)
        let blocks = [
            NegativeBlock(.itemRows(0..<3), ids: positives, source: "in-batch"),
            NegativeBlock(.detached(cache), ids: cacheIds, source: "cache"),
            NegativeBlock(.itemRows(3..<5), ids: uniformIds, probabilitySource: uniform, source: "corpus"),
            NegativeBlock(.itemRows(5..<7), ids: popularityIds, probabilitySource: popularity, source: "corpus"),
        ]
        let scorer = ItemRetrievalScorer(samplers: [], downscoreFalseNegatives: false, logQCorrection: correction)
        scorer.frequencyRowsPerStep = rowsPerStep
        let scores = try scorer.trainingScores(query: q, items: items, positiveIds: positives, negatives: blocks)
        // Raw dot products: column 0 the row's positive, then every block's rows in order.
        let candidates = Array(items.storage[0 ..< 6]) + cache.storage + Array(items.storage[6 ..< 14])
        let all = Matrix(rows: 9, columns: 2, values: candidates)
        var raw = Matrix(rows: 3, columns: 10)
        for r in 0..<3 {
            raw[r, 0] = q[r, 0] * items[r, 0] + q[r, 1] * items[r, 1]
            for c in 0..<9 { raw[r, 1 + c] = q[r, 0] * all[c, 0] + q[r, 1] * all[c, 1] }
        }
        return (scores, raw, positives + cacheIds + uniformIds + popularityIds, uniform, popularity)
    }

    @Test func staticTableColumnsUseTheMixtureOfTheirSamplers() throws {
        let table = try ItemFrequencyTable(frequencies: counts)
        let (scores, raw, ids, _, popularity) = try scored(.frequencyTable(table))
        // W = 3 in-batch + 2 cached rows (per-draw table); π = 2/8 (uniform) + the popularity draw's.
        func q(_ id: Int) -> Double { 5 * Double(counts[id]) / 37 + 2.0 / 8 + popularity.inclusionProbability(of: id) }
        #expect(scores.logits.columns == 10)
        for r in 0..<3 {
            #expect(abs(Double(scores.logits[r, 0]) - (Double(raw[r, 0]) - log(q(positives[r]) + 1e-16))) < 1e-5)
            for c in 0..<9 {
                let expected = Double(raw[r, 1 + c]) - log(q(ids[c]) + 1e-16)
                #expect(abs(Double(scores.logits[r, 1 + c]) - expected) < 1e-5, "row \(r) column \(c) (item \(ids[c]))")
            }
        }
    }

    /// The streaming estimate is an expected count among the rows it counts per step (`R`): the
    /// cache's 2 rows weigh 2/R of it. With `R = 6` (a global batch of 6 on 2 ranks) W = 5/6.
    @Test(arguments: [nil, 6])
    func streamingEstimateScalesByTheUnigramRows(rowsPerStep: Int?) throws {
        let estimator = FrequencyEstimator(hashSize: 64, countsOccurrences: true)
        for batch in [[0, 3, 3], [5, 1, 0], [2, 3, 5]] { estimator.update(ids: batch) }
        let (scores, raw, ids, _, popularity) = try scored(.frequencyEstimator(estimator, update: false), rowsPerStep: rowsPerStep)
        var estimates: [Float] = []
        estimator.estimate(ids: Array(0..<8), into: &estimates)
        let w = 5.0 / Double(rowsPerStep ?? 3)
        func q(_ id: Int) -> Double { w * Double(estimates[id]) + 2.0 / 8 + popularity.inclusionProbability(of: id) }
        for r in 0..<3 {
            #expect(abs(Double(scores.logits[r, 0]) - (Double(raw[r, 0]) - log(q(positives[r]) + 1e-16))) < 1e-5)
            for c in 0..<9 {
                #expect(abs(Double(scores.logits[r, 1 + c]) - (Double(raw[r, 1 + c]) - log(q(ids[c]) + 1e-16))) < 1e-5)
            }
        }
    }

    /// Without a corpus sampler the correction is the frequency alone (unchanged); with a uniform
    /// sampler alone it is the constant `S/N` (no unigram rows: W = 0).
    @Test func singleSourcesKeepTheirCorrection() throws {
        let table = try ItemFrequencyTable(frequencies: counts)
        let scorer = ItemRetrievalScorer(samplers: [], downscoreFalseNegatives: false, logQCorrection: .frequencyTable(table))
        let q = randomMatrix(rows: 3, columns: 2, seed: 1), items = randomMatrix(rows: 5, columns: 2, seed: 2)
        let inBatch = try scorer.trainingScores(query: q, items: items, positiveIds: positives,
                                                negatives: [NegativeBlock(.itemRows(0..<3), ids: positives, source: "in-batch")])
        for r in 0..<3 {
            let raw = q[r, 0] * items[r, 0] + q[r, 1] * items[r, 1]
            #expect(abs(Double(inBatch.logits[r, 0]) - (Double(raw) - log(Double(counts[positives[r]]) / 37 + 1e-16))) < 1e-5)
        }
        let uniform = UniformCorpusSampler(maxId: 8, maxNumSamples: 2, seed: 9)
        let drawn = uniform.sampleIds()
        let alone = try scorer.trainingScores(query: q, items: items, positiveIds: positives,
                                              negatives: [NegativeBlock(.itemRows(3..<5), ids: drawn, probabilitySource: uniform, source: "corpus")])
        for r in 0..<3 {
            let raw = q[r, 0] * items[r, 0] + q[r, 1] * items[r, 1]
            #expect(abs(Double(alone.logits[r, 0]) - (Double(raw) - log(0.25 + 1e-16))) < 1e-5)
        }
    }
}
