import RealModule

// Row-wise softmax and log-sum-exp of row-major `[rows, columns]` logits, with the
// max-subtraction trick and the vectorized exp of ``vectorExp(_:subtracting:into:kernel:)``.
//
// For a row `x` with maximum `m`: `softmax(x)[c] = exp(x[c] − m) / Σ_j exp(x[j] − m)` and
// `logSumExp(x) = m + log Σ_j exp(x[j] − m)`. Every term is in `[0, 1]` and the sum in
// `[1, columns]`, so finite logits of any magnitude (±1e30, ±`Float.greatestFiniteMagnitude`)
// neither overflow nor lose the largest entries.
//
// Special rows (defined behaviour, tested):
// - `-infinity` entries are masks: they get probability exactly 0.
// - A row whose entries are all `-infinity` (fully masked) gets **all-zero** probabilities and
//   log-sum-exp `-infinity` (the log of an empty sum). The same holds for an empty row
//   (`columns == 0`): log-sum-exp `-infinity`.
// - A row containing NaN gives NaN for every output of that row (no silent repair).
// - A row containing `+infinity` gives NaN (∞ − ∞); logits are expected to be finite.

/// Softmax of each row: `probabilities[r, :] = softmax(logits[r, :])`.
///
/// ```
/// logits, probabilities: [rows, columns]
/// logSumExp:             [rows] (optional)
/// ```
/// - Parameters:
///   - logits: row-major `[rows, columns]`.
///   - probabilities: row-major `[rows, columns]`; may be the same memory as `logits` (in place).
///   - logSumExp: when given, receives each row's log-sum-exp (computed in the same pass).
/// - Precondition: `logits.count == probabilities.count == rows * columns`, `logSumExp?.count == rows`.
/// - Complexity: O(rows · columns): one pass for the max, one for exp and sum, one to normalize.
public func softmaxRows(
    _ logits: UnsafeBufferPointer<Float>, into probabilities: UnsafeMutableBufferPointer<Float>,
    rows: Int, columns: Int, logSumExp: UnsafeMutableBufferPointer<Float>? = nil,
    kernel: ExpKernel = .automatic
) {
    precondition(rows >= 0 && columns >= 0 && logits.count == rows * columns,
                 "softmaxRows: \(logits.count) logits for a \(rows)×\(columns) matrix")
    precondition(probabilities.count == logits.count,
                 "softmaxRows: \(probabilities.count) outputs for \(logits.count) logits")
    if let logSumExp {
        precondition(logSumExp.count == rows, "softmaxRows: logSumExp has \(logSumExp.count) elements, expected \(rows)")
    }
    for r in 0..<rows {
        let range = r * columns ..< (r + 1) * columns
        let x = UnsafeBufferPointer(rebasing: logits[range])
        let y = UnsafeMutableBufferPointer(rebasing: probabilities[range])
        let lse = softmaxRow(x, into: y, kernel: kernel)
        logSumExp?[r] = lse
    }
}

/// Softmax of each row in place; see ``softmaxRows(_:into:rows:columns:logSumExp:kernel:)``.
public func softmaxRows(
    inPlace values: UnsafeMutableBufferPointer<Float>, rows: Int, columns: Int,
    logSumExp: UnsafeMutableBufferPointer<Float>? = nil, kernel: ExpKernel = .automatic
) {
    softmaxRows(UnsafeBufferPointer(values), into: values, rows: rows, columns: columns,
                logSumExp: logSumExp, kernel: kernel)
}

/// Log-sum-exp of each row: `output[r] = log Σ_c exp(logits[r, c])`, computed as
/// `m + log Σ_c exp(logits[r, c] − m)` with `m` the row maximum (nothing is stored but the result).
///
/// ```
/// logits: [rows, columns]
/// output: [rows]
/// ```
/// - Precondition: `logits.count == rows * columns`, `output.count == rows`.
/// - Complexity: O(rows · columns).
public func logSumExpRows(
    _ logits: UnsafeBufferPointer<Float>, rows: Int, columns: Int, into output: UnsafeMutableBufferPointer<Float>,
    kernel: ExpKernel = .automatic
) {
    checkRowReductionShape("logSumExpRows", logits.count, rows, columns, output.count)
    for r in 0..<rows {
        output[r] = logSumExp(UnsafeBufferPointer(rebasing: logits[r * columns ..< (r + 1) * columns]), kernel: kernel)
    }
}

/// Softmax of one vector; `probabilities` may be the same memory as `logits`. Returns the vector's
/// log-sum-exp. Special values as described for ``softmaxRows(_:into:rows:columns:logSumExp:kernel:)``.
/// - Precondition: `logits.count == probabilities.count`.
@discardableResult
public func softmax(
    _ logits: UnsafeBufferPointer<Float>, into probabilities: UnsafeMutableBufferPointer<Float>,
    kernel: ExpKernel = .automatic
) -> Float {
    precondition(logits.count == probabilities.count,
                 "softmax: \(probabilities.count) outputs for \(logits.count) logits")
    return softmaxRow(logits, into: probabilities, kernel: kernel)
}

/// `log Σ exp(x[i])` of one vector, with max subtraction; `-infinity` for an empty or all-`-infinity`
/// vector, NaN if any element is NaN.
public func logSumExp(_ logits: UnsafeBufferPointer<Float>, kernel: ExpKernel = .automatic) -> Float {
    let m = maximum(logits)
    if m == -.infinity { return containsNaN(logits) ? .nan : -.infinity }
    let total = vectorExp(logits, subtracting: m, into: nil, kernel: kernel)
    return logSumExpFrom(max: m, sum: total)
}

/// Softmax of each row of `logits`, in place.
///
/// ```
/// logits: [rows, columns] → probabilities [rows, columns]
/// ```
public func softmaxRows(_ logits: inout Matrix, kernel: ExpKernel = .automatic) {
    let (rows, columns) = (logits.rows, logits.columns)
    logits.withUnsafeMutableBufferPointer { softmaxRows(inPlace: $0, rows: rows, columns: columns, kernel: kernel) }
}

/// Softmax of each row of `logits` into `probabilities`, which is reshaped to `logits`' shape
/// (no allocation once its capacity suffices).
public func softmaxRows(_ logits: Matrix, into probabilities: inout Matrix, kernel: ExpKernel = .automatic) {
    probabilities.reshape(rows: logits.rows, columns: logits.columns)
    logits.withUnsafeBufferPointer { x in
        probabilities.withUnsafeMutableBufferPointer {
            softmaxRows(x, into: $0, rows: logits.rows, columns: logits.columns, kernel: kernel)
        }
    }
}

/// Log-sum-exp of each row of `logits` into `output`, resized to `logits.rows`.
public func logSumExpRows(_ logits: Matrix, into output: inout [Float], kernel: ExpKernel = .automatic) {
    resizeOutput(&output, to: logits.rows)
    logits.withUnsafeBufferPointer { x in
        output.withUnsafeMutableBufferPointer {
            logSumExpRows(x, rows: logits.rows, columns: logits.columns, into: $0, kernel: kernel)
        }
    }
}

/// One row: writes the probabilities and returns the log-sum-exp.
@usableFromInline
func softmaxRow(
    _ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>, kernel: ExpKernel
) -> Float {
    let m = maximum(x)
    if m == -.infinity {
        // Empty, fully masked (all -inf), or NaN-only row: zeros and -inf, or NaN for NaN input.
        let nan = containsNaN(x)
        fill(y, with: nan ? .nan : 0)
        return nan ? .nan : -.infinity
    }
    let total = vectorExp(x, subtracting: m, into: y, kernel: kernel)
    // total >= 1 (the maximum contributes exp(0)), or NaN: the division is always safe.
    scale(y, by: 1 / total)
    return logSumExpFrom(max: m, sum: total)
}

/// `m + log(sum)`, in Double so the result is correctly rounded for large `m`.
@usableFromInline
func logSumExpFrom(max m: Float, sum total: Float) -> Float {
    Float(Double(m) + Double.log(Double(total)))
}

@usableFromInline
func containsNaN(_ x: UnsafeBufferPointer<Float>) -> Bool {
    for v in x where v.isNaN { return true }
    return false
}
