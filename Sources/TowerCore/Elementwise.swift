// Elementwise vector kernels on raw buffers, and their `Matrix` forms.
//
// The buffer forms are the hot-loop API: get the pointers once, call once per row block.
// Outputs may be the same memory as an input (exact aliasing); partial overlap is not allowed.
// Every kernel is a plain loop that the compiler vectorizes.

/// `y[i] += alpha · x[i]` (BLAS axpy).
/// - Precondition: `x.count == y.count`.
/// - Complexity: O(n).
public func axpy(_ alpha: Float, _ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutableBufferPointer<Float>) {
    precondition(x.count == y.count, "axpy: x has \(x.count) elements, y has \(y.count)")
    for i in 0..<x.count { y[i] += alpha * x[i] }
}

/// `y[i] += x[i]`.
/// - Precondition: `x.count == y.count`.
public func add(_ x: UnsafeBufferPointer<Float>, to y: UnsafeMutableBufferPointer<Float>) {
    precondition(x.count == y.count, "add: x has \(x.count) elements, y has \(y.count)")
    for i in 0..<x.count { y[i] += x[i] }
}

/// `x[i] *= alpha`.
public func scale(_ x: UnsafeMutableBufferPointer<Float>, by alpha: Float) {
    for i in 0..<x.count { x[i] *= alpha }
}

/// `x[i] = value`.
public func fill(_ x: UnsafeMutableBufferPointer<Float>, with value: Float) {
    for i in 0..<x.count { x[i] = value }
}

/// `output[i] = a[i] + b[i]`.
/// - Precondition: all three have the same count.
public func add(
    _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>
) {
    precondition(a.count == b.count && a.count == output.count,
                 "add: lengths differ (a \(a.count), b \(b.count), output \(output.count))")
    for i in 0..<a.count { output[i] = a[i] + b[i] }
}

/// `output[i] = a[i] − b[i]`.
/// - Precondition: all three have the same count.
public func subtract(
    _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>
) {
    precondition(a.count == b.count && a.count == output.count,
                 "subtract: lengths differ (a \(a.count), b \(b.count), output \(output.count))")
    for i in 0..<a.count { output[i] = a[i] - b[i] }
}

/// `output[i] = a[i] · b[i]` (Hadamard product).
/// - Precondition: all three have the same count.
public func multiply(
    _ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>
) {
    precondition(a.count == b.count && a.count == output.count,
                 "multiply: lengths differ (a \(a.count), b \(b.count), output \(output.count))")
    for i in 0..<a.count { output[i] = a[i] * b[i] }
}

extension Matrix {
    /// `self += alpha · other` elementwise (axpy on the storage).
    /// - Precondition: same shape.
    public mutating func add(_ other: Matrix, scaledBy alpha: Float = 1) {
        precondition(rows == other.rows && columns == other.columns,
                     "Matrix.add: shapes differ (\(rows)×\(columns) vs \(other.rows)×\(other.columns))")
        other.withUnsafeBufferPointer { x in
            withUnsafeMutableBufferPointer { y in
                if alpha == 1 { TowerCore.add(x, to: y) } else { axpy(alpha, x, y) }
            }
        }
    }

    /// `self −= other` elementwise.
    /// - Precondition: same shape.
    public mutating func subtract(_ other: Matrix) {
        precondition(rows == other.rows && columns == other.columns,
                     "Matrix.subtract: shapes differ (\(rows)×\(columns) vs \(other.rows)×\(other.columns))")
        other.withUnsafeBufferPointer { x in withUnsafeMutableBufferPointer { y in axpy(-1, x, y) } }
    }

    /// `self *= other` elementwise (Hadamard product).
    /// - Precondition: same shape.
    public mutating func multiply(elementwise other: Matrix) {
        precondition(rows == other.rows && columns == other.columns,
                     "Matrix.multiply: shapes differ (\(rows)×\(columns) vs \(other.rows)×\(other.columns))")
        other.withUnsafeBufferPointer { x in
            withUnsafeMutableBufferPointer { y in TowerCore.multiply(UnsafeBufferPointer(y), x, into: y) }
        }
    }

    /// `self *= alpha` elementwise.
    public mutating func scale(by alpha: Float) {
        withUnsafeMutableBufferPointer { TowerCore.scale($0, by: alpha) }
    }

    /// Sets every element to `value`.
    public mutating func fill(with value: Float) {
        withUnsafeMutableBufferPointer { TowerCore.fill($0, with: value) }
    }
}
