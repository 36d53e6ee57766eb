import RealModule

// Per-row and per-column reductions of row-major matrices.
//
// The buffer forms take a row-major `[rows, columns]` matrix as `rows * columns` contiguous
// values; the `Matrix` forms resize their `[Float]` output to the needed count (no allocation
// once its capacity has been reached, so workspaces can be reused).

/// `output[r] = Σ_c a[r, c]`.
///
/// ```
/// a:      [rows, columns]
/// output: [rows]
/// ```
/// - Precondition: `a.count == rows * columns`, `output.count == rows`.
/// - Complexity: O(rows · columns).
public func rowSums(
    _ a: UnsafeBufferPointer<Float>, rows: Int, columns: Int, into output: UnsafeMutableBufferPointer<Float>
) {
    checkRowReductionShape("rowSums", a.count, rows, columns, output.count)
    for r in 0..<rows {
        output[r] = sum(UnsafeBufferPointer(rebasing: a[r * columns ..< (r + 1) * columns]))
    }
}

/// `output[r] = Σ_c a[r, c] · b[r, c]`: the dot product of each row of `a` with the same row of `b`.
///
/// ```
/// a, b:   [rows, columns]
/// output: [rows]
/// ```
/// - Precondition: `a.count == b.count == rows * columns`, `output.count == rows`.
/// - Complexity: O(rows · columns).
public func rowDots(
    _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, rows: Int, columns: Int,
    into output: UnsafeMutableBufferPointer<Float>
) {
    checkRowReductionShape("rowDots", a.count, rows, columns, output.count)
    precondition(b.count == a.count, "rowDots: a has \(a.count) elements, b has \(b.count)")
    for r in 0..<rows {
        let range = r * columns ..< (r + 1) * columns
        output[r] = dot(UnsafeBufferPointer(rebasing: a[range]), UnsafeBufferPointer(rebasing: b[range]))
    }
}

/// `output[r] = sqrt(Σ_c a[r, c]²)`: the L2 norm of each row.
///
/// ```
/// a:      [rows, columns]
/// output: [rows]
/// ```
/// - Precondition: `a.count == rows * columns`, `output.count == rows`.
/// - Complexity: O(rows · columns).
public func rowNorms(
    _ a: UnsafeBufferPointer<Float>, rows: Int, columns: Int, into output: UnsafeMutableBufferPointer<Float>
) {
    checkRowReductionShape("rowNorms", a.count, rows, columns, output.count)
    for r in 0..<rows {
        output[r] = squaredNorm(UnsafeBufferPointer(rebasing: a[r * columns ..< (r + 1) * columns])).squareRoot()
    }
}

/// `output[c] = Σ_r a[r, c]` (or `output[c] += …` when `accumulate`): column sums, e.g. a bias gradient.
///
/// ```
/// a:      [rows, columns]
/// output: [columns]
/// ```
/// - Precondition: `a.count == rows * columns`, `output.count == columns`.
/// - Complexity: O(rows · columns), row by row (contiguous, vectorized).
public func columnSums(
    _ a: UnsafeBufferPointer<Float>, rows: Int, columns: Int, into output: UnsafeMutableBufferPointer<Float>,
    accumulate: Bool = false
) {
    precondition(rows >= 0 && columns >= 0 && a.count == rows * columns,
                 "columnSums: \(a.count) values for a \(rows)×\(columns) matrix")
    precondition(output.count == columns, "columnSums: output has \(output.count) elements, expected \(columns)")
    if !accumulate { fill(output, with: 0) }
    for r in 0..<rows {
        add(UnsafeBufferPointer(rebasing: a[r * columns ..< (r + 1) * columns]), to: output)
    }
}

@usableFromInline
func checkRowReductionShape(_ name: StaticString, _ count: Int, _ rows: Int, _ columns: Int, _ outputCount: Int) {
    precondition(rows >= 0 && columns >= 0 && count == rows * columns,
                 "\(name): \(count) values for a \(rows)×\(columns) matrix")
    precondition(outputCount == rows, "\(name): output has \(outputCount) elements, expected \(rows)")
}

/// Resizes `array` to `count` elements, keeping its capacity (new elements are 0).
@usableFromInline
func resizeOutput(_ array: inout [Float], to count: Int) {
    if array.count > count {
        array.removeLast(array.count - count)
    } else if array.count < count {
        array.append(contentsOf: repeatElement(0, count: count - array.count))
    }
}

/// `output[r] = Σ_c a[r, c]`; `output` is resized to `a.rows`.
public func rowSums(_ a: Matrix, into output: inout [Float]) {
    resizeOutput(&output, to: a.rows)
    a.withUnsafeBufferPointer { x in
        output.withUnsafeMutableBufferPointer { rowSums(x, rows: a.rows, columns: a.columns, into: $0) }
    }
}

/// `output[r] = ⟨a[r, :], b[r, :]⟩`; `output` is resized to `a.rows`.
/// - Precondition: `a` and `b` have the same shape.
public func rowDots(_ a: Matrix, _ b: Matrix, into output: inout [Float]) {
    precondition(a.rows == b.rows && a.columns == b.columns,
                 "rowDots: shapes differ (\(a.rows)×\(a.columns) vs \(b.rows)×\(b.columns))")
    resizeOutput(&output, to: a.rows)
    a.withUnsafeBufferPointer { x in
        b.withUnsafeBufferPointer { y in
            output.withUnsafeMutableBufferPointer { rowDots(x, y, rows: a.rows, columns: a.columns, into: $0) }
        }
    }
}

/// `output[r] = ‖a[r, :]‖₂`; `output` is resized to `a.rows`.
public func rowNorms(_ a: Matrix, into output: inout [Float]) {
    resizeOutput(&output, to: a.rows)
    a.withUnsafeBufferPointer { x in
        output.withUnsafeMutableBufferPointer { rowNorms(x, rows: a.rows, columns: a.columns, into: $0) }
    }
}

/// `output[c] = Σ_r a[r, c]` (or `+=` when `accumulate`); `output` is resized to `a.columns`
/// (with `accumulate`, it must already have `a.columns` elements).
public func columnSums(_ a: Matrix, into output: inout [Float], accumulate: Bool = false) {
    if accumulate {
        precondition(output.count == a.columns,
                     "columnSums: accumulating into \(output.count) elements, expected \(a.columns)")
    } else {
        resizeOutput(&output, to: a.columns)
    }
    a.withUnsafeBufferPointer { x in
        output.withUnsafeMutableBufferPointer {
            columnSums(x, rows: a.rows, columns: a.columns, into: $0, accumulate: accumulate)
        }
    }
}
