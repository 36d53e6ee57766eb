#if GEMM_OPENBLAS
import COpenBLAS
import Synchronization

/// The OpenBLAS thread count last set by gemm (0: never set).
private let openBLASThreads = Atomic<Int>(0)

/// `cblas_sgemm` on row-major storage, with OpenBLAS limited to `threads` threads.
func openBLASGemm(
    transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int
) {
    if openBLASThreads.exchange(threads, ordering: .relaxed) != threads {
        openblas_set_num_threads(Int32(threads))
    }
    cblas_sgemm(CblasRowMajor, transA == .none ? CblasNoTrans : CblasTrans,
                transB == .none ? CblasNoTrans : CblasTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

extension GemmKernel {
    /// The OpenBLAS kernel family chosen at load time (e.g. `"Haswell"`, `"SkylakeX"`); it can be
    /// forced with the `OPENBLAS_CORETYPE` environment variable.
    public static var openBLASCoreName: String? {
        openblas_get_corename().map { String(cString: $0) }
    }
}
#else
extension GemmKernel {
    /// The OpenBLAS kernel family; `nil` in a build without the `OpenBLAS` trait.
    public static var openBLASCoreName: String? { nil }
}
#endif
