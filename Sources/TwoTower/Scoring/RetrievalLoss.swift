import Foundation
import TowerCore

/// A loss over retrieval logits `[B, 1+N]` whose column 0 is each row's positive (one-hot labels),
/// computed with its gradient in one fused pass.
public enum RetrievalLoss: Sendable, Equatable {
    /// Softmax cross-entropy, `L = (1/B) Σ_b w_b (logsumexp(z_b) − z_b0)` — Keras/Merlin's
    /// `categorical_crossentropy(from_logits)` with sample weights (weights are *not* renormalised:
    /// the sum is divided by `B`, as Keras and Yi et al. Eq. 4). The default.
    case softmaxCrossEntropy
    /// Bayesian personalised ranking, `L = (1/(B·N)) Σ_b w_b Σ_n −log σ(z_b0 − z_bn)` — Merlin's
    /// `"bpr"` (mean over every positive/negative pair). Downscored false negatives (−655) add ≈ 0.
    case bpr

    /// Loss value, and `∂L/∂logits` written into `gradient` (reshaped to the logits' shape;
    /// its capacity is reused, so no allocation once it has held a batch this large).
    /// - Parameter sampleWeights: `B` per-row weights, or `nil` for 1.
    /// - Precondition: `logits.columns >= 2`; `sampleWeights?.count == logits.rows`.
    public func lossAndGradient(logits: Matrix, sampleWeights: [Float]? = nil, into gradient: inout Matrix) -> Float {
        precondition(logits.columns >= 2, "\(self): logits have \(logits.columns) columns, need a positive and at least one negative")
        if let w = sampleWeights {
            precondition(w.count == logits.rows, "\(self): \(w.count) sample weights for \(logits.rows) rows")
        }
        gradient.reshape(rows: logits.rows, columns: logits.columns)
        let rows = logits.rows, cols = logits.columns
        return logits.withUnsafeBufferPointer { z in
            gradient.withUnsafeMutableBufferPointer { g in
                withWeights(sampleWeights) { w in
                    switch self {
                    case .softmaxCrossEntropy:
                        return softmaxCrossEntropyPass(z.baseAddress!, g.baseAddress!, rows: rows, columns: cols, weights: w)
                    case .bpr:
                        return bprPass(z.baseAddress!, g.baseAddress!, rows: rows, columns: cols, weights: w)
                    }
                }
            }
        }
    }
}

@inline(__always)
private func withWeights<R>(_ w: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let w else { return body(nil) }
    return w.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// Row-wise softmax cross-entropy with label column 0: three L1-resident sweeps per row
/// (max; exp and sum into `g`; scale), SIMD8 with a scalar tail. Accumulates the loss in Double.
func softmaxCrossEntropyPass(_ z: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>,
                             rows: Int, columns: Int, weights: UnsafePointer<Float>?) -> Float {
    let vecEnd = columns & ~7
    let invRows = 1 / Float(rows)
    var total: Double = 0
    for b in 0..<rows {
        let zr = z + b * columns, gr = g + b * columns
        // 1. Row max.
        var m8 = SIMD8<Float>(repeating: -.infinity)
        var c = 0
        while c < vecEnd { let v = load8(zr + c); m8.replace(with: v, where: v .> m8); c &+= 8 }
        var m = -Float.infinity
        for l in 0..<8 where m8[l] > m { m = m8[l] }
        while c < columns { if zr[c] > m { m = zr[c] }; c &+= 1 }
        // 2. e = exp(z − m) into g, and its sum.
        let mv = SIMD8<Float>(repeating: m)
        var s8 = SIMD8<Float>()
        c = 0
        while c < vecEnd { let e = fastExpNonPositive(load8(zr + c) - mv); store8(e, gr + c); s8 += e; c &+= 8 }
        var sum = s8.sum()
        while c < columns { let e = fastExp(zr[c] - m); gr[c] = e; sum += e; c &+= 1 }
        // 3. g = w/B · (softmax − onehot0); loss_b = m + log(sum) − z0.
        let w = weights?[b] ?? 1
        let scale = w * invRows
        let k = SIMD8<Float>(repeating: scale / sum)
        c = 0
        while c < vecEnd { store8(load8(gr + c) * k, gr + c); c &+= 8 }
        let kk = scale / sum
        while c < columns { gr[c] *= kk; c &+= 1 }
        gr[0] -= scale
        total += Double(w) * (Double(m) + log(Double(sum)) - Double(zr[0]))
    }
    return Float(total / Double(rows))
}

/// BPR over every (positive, negative) pair: `−log σ(x)`, `x = z0 − zn`, evaluated stably as
/// `max(−x, 0) + log1p(exp(−|x|))`; gradient `σ(−x) = 1/(1 + exp(x))` per pair.
func bprPass(_ z: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>,
             rows: Int, columns: Int, weights: UnsafePointer<Float>?) -> Float {
    let n = columns - 1
    let norm = 1 / Float(rows * n)
    var total: Double = 0
    for b in 0..<rows {
        let zr = z + b * columns, gr = g + b * columns
        let z0 = zr[0]
        let w = weights?[b] ?? 1
        let scale = w * norm
        var rowLoss: Double = 0
        var g0: Float = 0
        for c in 1..<columns {
            let x = z0 - zr[c]
            let e = fastExp(-abs(x))
            rowLoss += Double(max(-x, 0)) + Double(log1p(e))
            // σ(−x) from e = exp(−|x|) without overflow.
            let sig = x >= 0 ? e / (1 + e) : 1 / (1 + e)
            let gc = scale * sig
            gr[c] = gc
            g0 -= gc
        }
        gr[0] = g0
        total += Double(w) * rowLoss
    }
    return Float(total * Double(norm))
}
