import TowerKernels

/// Whether an operand of ``gemm(_:_:alpha:_:_:beta:into:threads:kernel:)`` is used as stored or transposed.
public enum Transpose: Sendable, Equatable {
    case none
    case transposed
}

/// Which implementation runs a ``gemm`` call.
public enum GemmKernel: Sendable, Equatable {
    /// OpenBLAS in a build with the `OpenBLAS` trait; otherwise ``native``.
    case automatic
    /// Our own packed kernel, the best this CPU runs: AVX-512F, else AVX2/FMA, else portable.
    case native
    /// The portable Swift SIMD kernel, on any CPU.
    case portable
    /// The AVX2/FMA C kernel (6×16 tile); the portable kernel on CPUs without AVX2/FMA.
    case avx2
    /// The AVX-512F C kernel (12×32 tile); ``avx2`` on CPUs without AVX-512F.
    case avx512
    /// System OpenBLAS (`cblas_sgemm`); only in a build with the `OpenBLAS` trait
    /// (see ``openBLASAvailable``), a precondition failure otherwise.
    case openBLAS

    /// Whether this build routes to OpenBLAS (built with `--traits OpenBLAS`).
    public static var openBLASAvailable: Bool {
        #if GEMM_OPENBLAS
        return true
        #else
        return false
        #endif
    }

    /// The kernel ``native`` runs on this CPU: `"avx512"`, `"avx2-fma"` or `"portable"`.
    public static var nativeName: String { NativeKernel.resolve(.native).name }
}

/// Whether the AVX2/FMA C kernel can run here (checked once).
let cpuHasAVX2FMA: Bool = tower_cpu_has_avx2_fma() != 0
/// Whether the AVX-512F C kernel can run here (checked once).
let cpuHasAVX512: Bool = tower_cpu_has_avx512f() != 0

/// One of our kernels, after checking what the CPU supports.
enum NativeKernel {
    case portable, avx2, avx512

    static func resolve(_ requested: GemmKernel) -> NativeKernel {
        switch requested {
        case .portable: return .portable
        case .avx2: return cpuHasAVX2FMA ? .avx2 : .portable
        case .avx512, .native, .automatic, .openBLAS:
            return cpuHasAVX512 ? .avx512 : cpuHasAVX2FMA ? .avx2 : .portable
        }
    }

    var name: String {
        switch self {
        case .portable: "portable"
        case .avx2: "avx2-fma"
        case .avx512: "avx512"
        }
    }
}

/// Problems with at least this many multiply-adds (m·n·k) use several threads by default.
let gemmParallelThreshold = 1 << 21

/// `C = alpha · op(A) · op(B) + beta · C` on matrices.
///
/// `op(A)` is `[m, k]`, `op(B)` is `[k, n]` and `C` is `[m, n]`. When `beta == 0` the old
/// contents of `C` are ignored (NaNs included).
/// - Parameter threads: `nil` picks the thread count from the problem size (see the pointer form).
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
    let ldc = max(c.columns, 1)
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                     a: pa.baseAddress, lda: max(a.columns, 1), b: pb.baseAddress, ldb: max(b.columns, 1),
                     beta: beta, c: pc.baseAddress, ldc: ldc, threads: threads, kernel: kernel)
            }
        }
    }
}

/// `C = alpha · op(A) · op(B) + beta · C` on raw row-major storage with leading dimensions
/// (the row strides) `lda`, `ldb`, `ldc`. Pointers may be `nil` only when the matching
/// dimension product is zero.
///
/// Stored A is `[m, k]` (`lda >= k`) or, transposed, `[k, m]` (`lda >= m`); stored B is
/// `[k, n]` (`ldb >= n`) or `[n, k]` (`ldb >= k`); C is `[m, n]` (`ldc >= n`). When `beta == 0`
/// the old contents of C are never read. `threads: nil` uses every core (``ThreadDefaults``),
/// at most one per four 12-row blocks, when m·n·k ≥ 2²¹ (and m is at least four blocks), else 1;
/// an explicit count overrides (clamped to the number of 12-row blocks).
public func gemm(
    transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>?, lda: Int, b: UnsafePointer<Float>?, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>?, ldc: Int,
    threads: Int? = nil, kernel: GemmKernel = .automatic
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m \(m), n \(n), k \(k)")
    let storedAColumns = transA == .none ? k : m
    let storedBColumns = transB == .none ? n : k
    precondition(lda >= max(storedAColumns, 1), "gemm: lda \(lda) < \(storedAColumns) columns of stored A")
    precondition(ldb >= max(storedBColumns, 1), "gemm: ldb \(ldb) < \(storedBColumns) columns of stored B")
    precondition(ldc >= max(n, 1), "gemm: ldc \(ldc) < n \(n)")
    guard m > 0, n > 0 else { return }
    guard let c else { preconditionFailure("gemm: C is nil for a \(m)×\(n) result") }
    if k == 0 || alpha == 0 {
        scaleMatrix(c, rows: m, columns: n, ldc: ldc, by: beta)
        return
    }
    guard let a, let b else { preconditionFailure("gemm: A or B is nil with m \(m), n \(n), k \(k)") }

    let tiles = (m + 11) / 12
    let requested: Int
    if let threads {
        requested = threads
    } else {
        let work = m.multipliedReportingOverflow(by: n).partialValue.multipliedReportingOverflow(by: k)
        requested = (work.overflow || work.partialValue >= gemmParallelThreshold) && tiles >= 4
            ? min(ThreadDefaults.cores, tiles / 4) : 1
    }
    let threadCount = max(1, min(requested, tiles))

    switch kernel {
    case .automatic:
        #if GEMM_OPENBLAS
        openBLASGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                     b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threadCount)
        #else
        nativeGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                   b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threadCount,
                   kernel: NativeKernel.resolve(.native))
        #endif
    case .native, .portable, .avx2, .avx512:
        nativeGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                   b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threadCount,
                   kernel: NativeKernel.resolve(kernel))
    case .openBLAS:
        #if GEMM_OPENBLAS
        openBLASGemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                     b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threadCount)
        #else
        preconditionFailure("gemm: kernel .openBLAS needs a build with the OpenBLAS trait (swift build --traits OpenBLAS)")
        #endif
    }
}

/// C ← beta·C over an m×n block (beta == 0 writes zeros without reading C).
private func scaleMatrix(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ldc: Int, by beta: Float) {
    for i in 0..<rows {
        let row = c + i * ldc
        if beta == 0 {
            row.update(repeating: 0, count: columns)
        } else if beta != 1 {
            for j in 0..<columns { row[j] = beta * row[j] }
        }
    }
}

/// Raw pointers handed to worker threads; each worker writes only its own rows of C.
private struct GemmOperands: @unchecked Sendable {
    let a: UnsafePointer<Float>
    let b: UnsafePointer<Float>
    let c: UnsafeMutablePointer<Float>
}

/// Our packed kernels, row blocks of C split over `threads` threads, each packing its own B.
private func nativeGemm(
    transA: Transpose, transB: Transpose, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int, kernel: NativeKernel
) {
    let ta: Int32 = transA == .none ? 0 : 1
    let tb: Int32 = transB == .none ? 0 : 1
    let operands = GemmOperands(a: a, b: b, c: c)
    parallelFor(chunks: threads, threads: threads) { part in
        // Row blocks start on a multiple of both register-tile heights (6 and 12).
        let rows = chunkRange(count: m, chunks: threads, chunk: part, alignment: 12)
        guard !rows.isEmpty else { return }
        let rowsA = operands.a + (transA == .none ? rows.lowerBound * lda : rows.lowerBound)
        let rowsC = operands.c + rows.lowerBound * ldc
        let mPart = rows.count
        let aFloats = tower_gemm_pack_a_floats(mPart, k)
        let bFloats = tower_gemm_pack_b_floats(n, k)
        gemmWorkspacePool.withWorkspace(aFloats: aFloats, bFloats: bFloats) { workspace in
            switch kernel {
            case .portable:
                portableGemm(transA: ta, transB: tb, m: mPart, n: n, k: k, alpha: alpha,
                             a: rowsA, lda: lda, b: operands.b, ldb: ldb, beta: beta, c: rowsC, ldc: ldc,
                             packA: workspace.packA!, packB: workspace.packB!)
            case .avx2:
                tower_sgemm_avx2(ta, tb, mPart, n, k, alpha, rowsA, lda, operands.b, ldb, beta,
                                 rowsC, ldc, workspace.packA, workspace.packB)
            case .avx512:
                tower_sgemm_avx512(ta, tb, mPart, n, k, alpha, rowsA, lda, operands.b, ldb, beta,
                                   rowsC, ldc, workspace.packA, workspace.packB)
            }
        }
    }
}
