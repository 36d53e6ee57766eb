import Foundation
import Testing
import TowerCore
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
            }
        }
        return total / Double(z.rows)
    }

    /// Loss against a Double evaluation; gradient against central differences of that Double loss.
    @Test(arguments: [RetrievalLoss.softmaxCrossEntropy, .bpr], [11, 20])
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
        for k in 0..<z.count {
            var p = z, m = z
            p.storage[k] += 1e-2; m.storage[k] -= 1e-2
            let fd = (doubleLoss(p, w, kind) - doubleLoss(m, w, kind)) / 2e-2
            worst = max(worst, abs(fd - Double(g.storage[k])))
        }
        #expect(worst < 1e-4)
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
