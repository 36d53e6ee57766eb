import TowerCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The few scalar libm functions TowerNN needs (no Foundation), and small private loops.

@inline(__always) func libmExp(_ x: Float) -> Float { expf(x) }
@inline(__always) func libmTanh(_ x: Float) -> Float { tanhf(x) }
@inline(__always) func libmErf(_ x: Float) -> Float { erff(x) }
@inline(__always) func libmLog(_ x: Double) -> Double { log(x) }
@inline(__always) func libmCos(_ x: Double) -> Double { cos(x) }
@inline(__always) func libmPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }

/// `y[i] += a * x[i]` for `i < n` (TowerCore's `axpy` on raw pointers).
@inline(__always)
func addScaled(_ n: Int, _ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
    axpy(a, UnsafeBufferPointer(start: x, count: n), UnsafeMutableBufferPointer(start: y, count: n))
}

/// Sum of squares of `n` floats, accumulated in Double.
@inline(__always)
func sumOfSquares(_ n: Int, _ x: UnsafePointer<Float>) -> Double {
    var s0: Double = 0, s1: Double = 0, s2: Double = 0, s3: Double = 0
    var i = 0
    while i + 4 <= n {
        let a = Double(x[i]), b = Double(x[i + 1]), c = Double(x[i + 2]), d = Double(x[i + 3])
        s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d
        i += 4
    }
    while i < n { let a = Double(x[i]); s0 += a * a; i += 1 }
    return (s0 + s1) + (s2 + s3)
}

/// Copies `source` into `destination`, reshaping `destination` to the same shape (no allocation
/// once `destination`'s capacity suffices).
func copyMatrix(_ source: Matrix, into destination: inout Matrix) {
    destination.reshape(rows: source.rows, columns: source.columns)
    let n = source.count
    guard n > 0 else { return }
    source.withUnsafeBufferPointer { s in
        destination.withUnsafeMutableBufferPointer { d in
            d.baseAddress!.update(from: s.baseAddress!, count: n)
        }
    }
}

/// Copies `source` into `destination` (an `[Int32]` buffer whose capacity is reused).
func copyIDs(_ source: UnsafeBufferPointer<Int32>, into destination: inout [Int32]) {
    destination.removeAll(keepingCapacity: true)
    destination.append(contentsOf: source)
}
