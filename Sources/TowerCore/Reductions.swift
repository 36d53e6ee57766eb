import RealModule

// Whole-vector reductions on raw buffers, and their `Matrix` forms.
//
// Sums use `Relaxed.sum` / `Relaxed.multiplyAdd` (swift-numerics): the compiler may reassociate,
// so the loops vectorize with several vector accumulators on every ISA (and use FMA only where
// the target has it). Results can differ from a sequential sum in the last bits.

/// `Σ x[i]` (0 for an empty buffer).
/// - Complexity: O(n).
public func sum(_ x: UnsafeBufferPointer<Float>) -> Float {
    var total: Float = 0
    for i in 0..<x.count { total = Relaxed.sum(total, x[i]) }
    return total
}

/// `Σ a[i] · b[i]`.
/// - Precondition: `a.count == b.count`.
/// - Complexity: O(n).
public func dot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Float {
    precondition(a.count == b.count, "dot: lengths differ (\(a.count) vs \(b.count))")
    var total: Float = 0
    for i in 0..<a.count { total = Relaxed.multiplyAdd(a[i], b[i], total) }
    return total
}

/// `Σ x[i]²` (the squared L2 norm).
/// - Complexity: O(n).
public func squaredNorm(_ x: UnsafeBufferPointer<Float>) -> Float {
    var total: Float = 0
    for i in 0..<x.count { total = Relaxed.multiplyAdd(x[i], x[i], total) }
    return total
}

/// The largest element, ignoring NaNs; `-infinity` for an empty buffer or one holding only NaNs
/// and `-infinity`.
/// - Complexity: O(n), SIMD8 with two accumulators (mask-based, no outlined min/max calls).
public func maximum(_ x: UnsafeBufferPointer<Float>) -> Float {
    guard let base = x.baseAddress else { return -.infinity }
    let n = x.count
    let raw = UnsafeRawPointer(base)
    var m0 = SIMD8<Float>(repeating: -.infinity)
    var m1 = m0
    var i = 0
    while i + 16 <= n {
        let v0 = raw.loadUnaligned(fromByteOffset: i &* 4, as: SIMD8<Float>.self)
        let v1 = raw.loadUnaligned(fromByteOffset: (i &+ 8) &* 4, as: SIMD8<Float>.self)
        m0.replace(with: v0, where: v0 .> m0)
        m1.replace(with: v1, where: v1 .> m1)
        i &+= 16
    }
    m0.replace(with: m1, where: m1 .> m0)
    var best: Float = -.infinity
    for lane in 0..<8 where m0[lane] > best { best = m0[lane] }
    while i < n {
        if base[i] > best { best = base[i] }
        i &+= 1
    }
    return best
}

extension Matrix {
    /// `Σ` of all elements.
    public func sum() -> Float {
        withUnsafeBufferPointer { TowerCore.sum($0) }
    }

    /// `Σ self[r, c] · other[r, c]` over all elements (Frobenius inner product).
    /// - Precondition: same shape.
    public func dot(_ other: Matrix) -> Float {
        precondition(rows == other.rows && columns == other.columns,
                     "Matrix.dot: shapes differ (\(rows)×\(columns) vs \(other.rows)×\(other.columns))")
        return withUnsafeBufferPointer { a in other.withUnsafeBufferPointer { b in TowerCore.dot(a, b) } }
    }

    /// `Σ self[r, c]²` over all elements (squared Frobenius norm).
    public func squaredNorm() -> Float {
        withUnsafeBufferPointer { TowerCore.squaredNorm($0) }
    }
}
