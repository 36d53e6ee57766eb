/// Whether an operand of ``gemm(_:_:alpha:_:_:beta:into:threads:kernel:)`` is used as stored or transposed.
public enum Transpose: Sendable, Equatable {
    case none
    case transposed
}

/// Which micro-kernel runs a ``gemm`` call.
public enum GemmKernel: Sendable, Equatable {
    /// AVX2/FMA C kernel when the CPU has it, else the portable kernel (or OpenBLAS in a trait build).
    case automatic
    /// The portable Swift kernel, on any CPU.
    case portable
}

/// `C = alpha · op(A) · op(B) + beta · C` on matrices.
///
/// `op(A)` is `[m, k]`, `op(B)` is `[k, n]` and `C` is `[m, n]`. When `beta == 0` the old
/// contents of `C` are ignored (NaNs included).
/// - Parameter threads: `nil` picks 1 or 2 threads from the problem size.
public func gemm(
    _ transA: Transpose = .none, _ transB: Transpose = .none,
    alpha: Float = 1, _ a: Matrix, _ b: Matrix,
    beta: Float = 0, into c: inout Matrix,
    threads: Int? = nil, kernel: GemmKernel = .automatic
) {
    let m = transA == .none ? a.rows : a.columns
    let k = transA == .none ? a.columns : a.rows
    let kb = transB == .none ? b.rows : b.columns
    let n = transB == .none ? b.columns : b.rows
    precondition(k == kb, "gemm: inner dimensions differ (op(A) is \(m)×\(k), op(B) is \(kb)×\(n))")
    precondition(c.rows == m && c.columns == n, "gemm: C is \(c.rows)×\(c.columns), expected \(m)×\(n)")
    let ldc = c.columns
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                     a: pa.baseAddress, lda: a.columns, b: pb.baseAddress, ldb: b.columns,
                     beta: beta, c: pc.baseAddress, ldc: ldc, threads: threads, kernel: kernel)
            }
        }
    }
}

/// `C = alpha · op(A) · op(B) + beta · C` on raw row-major storage with leading dimensions
/// (the row strides) `lda`, `ldb`, `ldc`. Pointers may be `nil` only when the matching
/// dimension product is zero.
public func gemm(
    transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>?, lda: Int, b: UnsafePointer<Float>?, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>?, ldc: Int,
    threads: Int? = nil, kernel: GemmKernel = .automatic
) {
    // Placeholder reference implementation; replaced by the packed kernels.
    guard m > 0, n > 0, let c else { return }
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = 0
            if k > 0, let a, let b {
                for p in 0..<k {
                    let av = transA == .none ? a[i * lda + p] : a[p * lda + i]
                    let bv = transB == .none ? b[p * ldb + j] : b[j * ldb + p]
                    sum += av * bv
                }
            }
            let old = beta == 0 ? 0 : beta * c[i * ldc + j]
            c[i * ldc + j] = alpha * sum + old
        }
    }
}
