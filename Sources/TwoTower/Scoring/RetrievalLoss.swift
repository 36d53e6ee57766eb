import Foundation
import TowerCore

/// A loss over retrieval logits `[B, 1+N]` whose column 0 is each row's positive (one-hot labels),
/// computed with its gradient in one fused pass. The raw values are the configuration's and the
/// command line's names.
public enum RetrievalLoss: String, Codable, Sendable, Equatable, CaseIterable {
    /// Softmax cross-entropy, `L = (1/B) Σ_b w_b (logsumexp(z_b) − z_b0)` — Keras/Merlin's
    /// `categorical_crossentropy(from_logits)` with sample weights (weights are *not* renormalised:
    /// the sum is divided by `B`, as Keras and Yi et al. Eq. 4). The default.
    case softmaxCrossEntropy = "softmax"
    /// Bayesian personalised ranking, `L = (1/(B·N)) Σ_b w_b Σ_n −log σ(z_b0 − z_bn)` — Merlin's
    /// `"bpr"` (mean over every positive/negative pair). Downscored false negatives (−655) add ≈ 0.
    case bpr
    /// Cosine contrastive loss of SimpleX (Mao et al., CIKM 2021), per row
    /// `l_b = (1 − z_b0) + (w/N) Σ_n max(0, z_bn − m)` with margin `m` and negative weight `w`
    /// (``CosineContrastiveParameters``), `L = (1/B) Σ_b w_b l_b`. The logits must be the raw cosine
    /// similarities (L2-normalised towers, no logQ, temperature 1: ``TrainingConfiguration/validate()``
    /// checks the last two). Downscored false negatives (−655 < m) add exactly 0, value and gradient;
    /// `N` counts every negative column, masked ones included (SimpleX averages over its draws).
    case ccl

    /// How a loss's per-row values `w_b l_b` are reduced over the batch's `B` rows.
    public enum Reduction: String, Codable, Sendable, Equatable, CaseIterable {
        /// `Σ_b w_b l_b / B` (Keras, Merlin; the default).
        case mean
        /// `Σ_b w_b l_b` (TFRS's `tfrs.tasks.Retrieval`): value and gradient `B`× the mean's.
        case sum
    }

    /// Loss value, and `∂L/∂logits` written into `gradient` (reshaped to the logits' shape;
    /// its capacity is reused, so no allocation once it has held a batch this large).
    /// - Parameter sampleWeights: `B` per-row weights, or `nil` for 1.
    /// - Precondition: `logits.columns >= 2`; `sampleWeights?.count == logits.rows`.
    /// - Parameter threads: threads of the softmax pass over large logits (`nil`: 2 when the logits
    ///   hold at least 2¹⁸ values).
    /// - Parameters:
    ///   - reduction: mean over the rows (default) or sum.
    ///   - ccl: margin and negative weight of ``ccl`` (ignored by the others).
    public func lossAndGradient(logits: Matrix, sampleWeights: [Float]? = nil, into gradient: inout Matrix,
                                threads: Int? = nil, reduction: Reduction = .mean,
                                ccl: CosineContrastiveParameters = .init()) -> Float {
        guard let sampleWeights else {
            return lossAndGradient(logits: logits, weights: nil, into: &gradient, threads: threads, reduction: reduction, ccl: ccl)
        }
        return sampleWeights.withUnsafeBufferPointer {
            lossAndGradient(logits: logits, weights: $0, into: &gradient, threads: threads, reduction: reduction, ccl: ccl)
        }
    }

    /// ``lossAndGradient(logits:sampleWeights:into:threads:)`` with the weights in a buffer the
    /// caller owns (no copy; the trainer passes its batch's weights).
    public func lossAndGradient(logits: Matrix, weights sampleWeights: UnsafeBufferPointer<Float>?,
                                into gradient: inout Matrix, threads: Int? = nil, reduction: Reduction = .mean,
                                ccl: CosineContrastiveParameters = .init()) -> Float {
        precondition(logits.columns >= 2, "\(self): logits have \(logits.columns) columns, need a positive and at least one negative")
        if let w = sampleWeights {
            precondition(w.count == logits.rows, "\(self): \(w.count) sample weights for \(logits.rows) rows")
        }
        gradient.reshape(rows: logits.rows, columns: logits.columns)
        let rows = logits.rows, cols = logits.columns
        // The divisor of the row sum: B for the mean, 1 for the sum.
        let divisor = reduction == .mean ? rows : 1
        return logits.withUnsafeBufferPointer { z in
            gradient.withUnsafeMutableBufferPointer { g in
                let w = sampleWeights?.baseAddress
                switch self {
                case .softmaxCrossEntropy:
                    return softmaxCrossEntropyPass(z.baseAddress!, g.baseAddress!, rows: rows, columns: cols, weights: w,
                                                   threads: threads, divisor: divisor)
                case .bpr:
                    return bprPass(z.baseAddress!, g.baseAddress!, rows: rows, columns: cols, weights: w, divisor: divisor)
                case .ccl:
                    return cosineContrastivePass(z.baseAddress!, g.baseAddress!, rows: rows, columns: cols, weights: w,
                                                 divisor: divisor, parameters: ccl)
                }
            }
        }
    }
}

/// Row-wise softmax cross-entropy with label column 0: per row, three L1-resident sweeps with
/// TowerCore's kernels (max; exp and sum into `g`; scale). Rows are processed in fixed blocks of
/// 64 — on several threads when the logits are large (the pass is memory-bound) — and the blocks'
/// Double partial sums are added in block order, so the result does not depend on the threads.
func softmaxCrossEntropyPass(_ z: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>,
                             rows: Int, columns: Int, weights: UnsafePointer<Float>?, threads requested: Int?,
                             divisor: Int) -> Float {
    let invRows = 1 / Float(divisor)
    let blockRows = 64
    let blocks = (rows + blockRows - 1) / blockRows
    let threads = rows * columns >= 1 << 18 ? (requested ?? ThreadDefaults.cores) : 1
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: blocks) { partial in
        nonisolated(unsafe) let partial = partial
        parallelFor(chunks: blocks, threads: threads) { block in
            var total: Double = 0
            for b in block * blockRows ..< min(rows, (block + 1) * blockRows) {
                let zr = UnsafeBufferPointer(start: z + b * columns, count: columns)
                let gr = UnsafeMutableBufferPointer(start: g + b * columns, count: columns)
                // Max for stability, then e = exp(z − m) into g with its sum (AVX2/FMA kernel).
                let m = maximum(zr)
                let sum = vectorExp(zr, subtracting: m, into: gr)
                // g = w/B · (softmax − onehot0); loss_b = m + log(sum) − z0.
                let w = weights?[b] ?? 1
                let scale = w * invRows
                TowerCore.scale(gr, by: scale / sum)
                gr[0] -= scale
                total += Double(w) * (Double(m) + log(Double(sum)) - Double(zr[0]))
            }
            partial[block] = total
        }
        var total: Double = 0
        for block in 0..<blocks { total += partial[block] }
        return Float(total / Double(divisor))
    }
}

/// BPR over every (positive, negative) pair: `−log σ(x)`, `x = z0 − zn`, evaluated stably as
/// `max(−x, 0) + log1p(exp(−|x|))`; gradient `σ(−x) = 1/(1 + exp(x))` per pair.
func bprPass(_ z: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>,
             rows: Int, columns: Int, weights: UnsafePointer<Float>?, divisor: Int) -> Float {
    let n = columns - 1
    let norm = 1 / Float(divisor * n)
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
            let e = Foundation.exp(-abs(x))
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

/// The two knobs of ``RetrievalLoss/ccl``.
public struct CosineContrastiveParameters: Codable, Sendable, Equatable {
    /// Negatives with a cosine similarity above this are penalised (SimpleX tunes it in [0, 1]).
    public var margin: Float
    /// Weight of the negatives' mean hinge against the positive's `1 − s⁺`.
    public var negativeWeight: Float

    public static let defaultMargin: Float = 0.9
    public static let defaultNegativeWeight: Float = 1

    public init(margin: Float = Self.defaultMargin, negativeWeight: Float = Self.defaultNegativeWeight) {
        self.margin = margin
        self.negativeWeight = negativeWeight
    }
}

/// Cosine contrastive loss: per row `(1 − z0) + (w/N) Σ_n max(0, z_n − m)`; gradient `−1` on the
/// positive and `w/N` on each negative above the margin (0 at and below it), times `w_b / divisor`.
func cosineContrastivePass(_ z: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>,
                           rows: Int, columns: Int, weights: UnsafePointer<Float>?, divisor: Int,
                           parameters: CosineContrastiveParameters) -> Float {
    let n = columns - 1
    let m = parameters.margin
    let negativeScale = parameters.negativeWeight / Float(n)
    let inv = 1 / Float(divisor)
    var total: Double = 0
    for b in 0..<rows {
        let zr = z + b * columns, gr = g + b * columns
        let w = weights?[b] ?? 1
        let scale = w * inv
        var hinge: Double = 0
        let gn = scale * negativeScale
        for c in 1..<columns {
            let x = zr[c] - m
            if x > 0 {
                hinge += Double(x)
                gr[c] = gn
            } else {
                gr[c] = 0
            }
        }
        gr[0] = -scale
        total += Double(w) * ((1 - Double(zr[0])) + Double(negativeScale) * hinge)
    }
    return Float(total / Double(divisor))
}
