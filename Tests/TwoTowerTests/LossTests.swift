import Foundation
import Testing
import TowerCore
import TowerNN
import TowerTestSupport
@testable import TwoTower

@Suite struct LossTests {
    func doubleLoss(_ z: Matrix, _ w: [Float], _ kind: RetrievalLoss) -> Double {
        var total = 0.0
        for r in 0..<z.rows {
            let row = (0..<z.columns).map { Double(z[r, $0]) }
            switch kind {
            case .softmaxCrossEntropy:
                let m = row.max()!
                total += Double(w[r]) * (m + log(row.reduce(0) { $0 + exp($1 - m) }) - row[0])
            case .bpr:
                for c in 1..<z.columns { total += Double(w[r]) * log1p(exp(-(row[0] - row[c]))) / Double(z.columns - 1) }
            case .ccl:
                let p = CosineContrastiveParameters()
                let hinge = row.dropFirst().reduce(0) { $0 + max(0, $1 - Double(p.margin)) }
                total += Double(w[r]) * ((1 - row[0]) + Double(p.negativeWeight) * hinge / Double(z.columns - 1))
            }
        }
        return total / Double(z.rows)
    }

    /// Loss against a Double evaluation; gradient against central differences of that Double loss.
    @Test(arguments: [RetrievalLoss.softmaxCrossEntropy, .bpr, .ccl], [11, 20])
    func lossAndGradientMatchDouble(kind: RetrievalLoss, columns: Int) {
        var z = randomMatrix(rows: 4, columns: columns, seed: 4)
        for k in 0..<z.count { z.storage[k] *= 3 }
        z[1, 3] = -655.04
        let w: [Float] = [1, 0.25, 2, 0.5]
        var g = Matrix(rows: 0, columns: 0)
        let loss = kind.lossAndGradient(logits: z, sampleWeights: w, into: &g)
        let ref = doubleLoss(z, w, kind)
        #expect(abs(Double(loss) - ref) < 1e-5 * max(1, ref))
        var worst = 0.0
        // CCL's hinge has kinks at the margin: a smaller step keeps every logit on its side.
        let eps: Float = kind == .ccl ? 1e-4 : 1e-2
        for k in 0..<z.count {
            var p = z, m = z
            p.storage[k] += eps; m.storage[k] -= eps
            // Divided by the step the Float logits really took.
            let fd = (doubleLoss(p, w, kind) - doubleLoss(m, w, kind)) / (Double(p.storage[k]) - Double(m.storage[k]))
            worst = max(worst, abs(fd - Double(g.storage[k])))
        }
        #expect(worst < 1e-4)
    }

    /// `sum` is `B` times `mean`, value and gradient, for every loss.
    @Test(arguments: [RetrievalLoss.softmaxCrossEntropy, .bpr, .ccl])
    func sumIsBTimesMean(kind: RetrievalLoss) {
        let z = randomMatrix(rows: 6, columns: 9, seed: 8)
        let w: [Float] = [1, 0.25, 2, 0.5, 1, 3]
        var gm = Matrix(rows: 0, columns: 0), gs = Matrix(rows: 0, columns: 0)
        let mean = kind.lossAndGradient(logits: z, sampleWeights: w, into: &gm, reduction: .mean)
        let sum = kind.lossAndGradient(logits: z, sampleWeights: w, into: &gs, reduction: .sum)
        #expect(abs(sum - 6 * mean) <= 1e-6 * abs(sum))
        #expect(maxScaledDifference(gs.storage, gm.storage.map { 6 * $0 }) < 1e-6)
        #expect(gs.storage.contains { $0 != 0 })
    }

    /// CCL against Reference/ccl_reference.py (NumPy, float64), printed by
    /// `python3 Tests/TwoTowerTests/Reference/ccl_reference.py`: cosine logits of L2-normalised
    /// Q and I with in-batch negatives (ids [5, 7, 5, 2]: false negatives at −655.04 add nothing),
    /// m = 0.3, w = 2, sample weights [1, 0.5, 2, 1]; loss (mean, sum), ∂L/∂logits and the
    /// gradients of the raw vectors through the normalisation and the scorer.
    @Test func cclMatchesNumPyReference() throws {
        let rawQ = Matrix(rows: 4, columns: 3, values: [0.5, -1.0, 0.25, 1.5, 0.25, -0.5, -0.75, 2.0, 1.0, 0.3, 0.4, -1.2])
        let rawI = Matrix(rows: 4, columns: 3, values: [1.0, 0.5, -0.25, -0.5, 1.25, 0.75, 0.25, -1.5, 0.5, 0.9, 0.1, -0.8])
        let normQ = L2Normalize(), normI = L2Normalize()
        let q = normQ.forward(rawQ, training: true), i = normI.forward(rawI, training: true)
        let scorer = ItemRetrievalScorer(samplers: [InBatchSampler()])
        let scores = try scorer.trainingScores(query: q, items: i, positiveIds: [5, 7, 5, 2],
                                               negatives: [NegativeBlock(.itemRows(0..<4), ids: [5, 7, 5, 2], source: "in-batch")])
        let logits: [Float] = [-0.0476190476, -655.04, -0.743391942, -655.04, 0.108359047, -0.329351485, 0.954237447, -655.04,
                               -0.0975609756, 0.917677307, -0.711838583, -655.04, 0.997335302, -655.04, -0.447402849,
                               0.808507291, 0.53715173, -0.274528559, -0.540601483, -655.04]
        #expect(maxScaledDifference(scores.logits.storage, logits) < 1e-6)
        let ccl = CosineContrastiveParameters(margin: 0.3, negativeWeight: 2)
        let w: [Float] = [1, 0.5, 2, 1]
        var g = Matrix(rows: 0, columns: 0)
        let sum = RetrievalLoss.ccl.lossAndGradient(logits: scores.logits, sampleWeights: w, into: &g, reduction: .sum, ccl: ccl)
        #expect(abs(sum - 6.46135452) < 1e-5)
        let mean = RetrievalLoss.ccl.lossAndGradient(logits: scores.logits, sampleWeights: w, into: &g, ccl: ccl)
        #expect(abs(mean - 1.61533863) < 1e-6)
        #expect(g.storage == [-0.25, 0, 0, 0, 0, -0.125, 0.0625, 0, 0, 0.0625, -0.5, 0, 0.25, 0, 0, -0.25, 0.125, 0, 0, 0])
        let back = scorer.backward(scores, logitsGradient: &g)
        let dQ = normQ.backward(back.query), dI = normI.backward(back.items)
        #expect(maxScaledDifference(dQ.storage, [-0.195011338, -0.0861678005, 0.0453514739, -0.0040876138, -0.0584962072,
                                                 -0.0415109447, 0.014107518, 0.0670107108, -0.123440783, -0.0353480691,
                                                 0.0579980861, 0.0104956782]) < 1e-5)
        #expect(maxScaledDifference(dI.storage, [-0.124606725, 0.17973441, -0.138958081, -0.0664320214, -0.0280000649,
                                                 0.00237876052, 0.0646024805, -0.0565271705, -0.201882752, 0.0899653866,
                                                 -0.0456679564, 0.0955025653]) < 1e-5)
    }

    @Test func hugeAndEqualLogits() {
        var g = Matrix(rows: 0, columns: 0)
        let z = Matrix(rows: 2, columns: 3, values: [1e30, -1e30, 0, 5, 5, 5])
        let loss = RetrievalLoss.softmaxCrossEntropy.lossAndGradient(logits: z, into: &g)
        #expect(abs(loss - Float(log(3.0)) / 2) < 1e-5)
        #expect(g.storage.allSatisfy { $0.isFinite })
        let b = RetrievalLoss.bpr.lossAndGradient(logits: z, into: &g)
        #expect(b.isFinite && g.storage.allSatisfy { $0.isFinite })
    }
}
