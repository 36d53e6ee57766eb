import TowerKernels

/// A fixed right-hand ``gemm`` operand `op(B)` (`[k, n]`), packed once into the micro-kernel's
/// panel layout so that products with it skip packing B — the packed-GEMM scheme of MKL's
/// `cblas_sgemm_pack` / `cblas_sgemm_compute`. Exact retrieval scores one item matrix against
/// many small query batches: unpacked, every batch re-packs the whole item matrix, which was
/// 43–59% of a serving process's CPU time (Benchmarks/serve-profile.sh).
///
/// Layout: full-depth panels of ``panelWidth`` columns (16 for the AVX2 and portable kernels, 32
/// for AVX-512), panel `j` holding, for each `p < k`, the values `op(B)[p][j·w ..< j·w + w]`,
/// zero-padded past `n`. Memory: `roundUp(n, panelWidth) · k` floats.
///
/// Results equal the unpacked ``gemm`` with the same kernel bit for bit (packing only copies).
public final class PackedMatrix: @unchecked Sendable {
    /// Rows of `op(B)`: the shared dimension `k` of a product.
    public let depth: Int
    /// Columns of `op(B)`: `n`.
    public let columns: Int
    /// Columns per packed panel; a product over a column range must start on a multiple of it.
    public let panelWidth: Int
    /// The kernel the panels were packed for (products run on it).
    let kernel: NativeKernel
    /// `roundUp(columns, panelWidth) · depth` floats, 64-byte aligned; immutable after init.
    let panels: UnsafeMutablePointer<Float>

    /// Packs `op(B)`: `b` as stored (`[k, n]`) or, with `transpose: .transposed`, `bᵀ` for `b`
    /// stored `[n, k]` — an item matrix `[items, d]` is packed transposed to score `queries · itemsᵀ`.
    /// - Parameter kernel: the kernel products will run on (``GemmKernel/native`` picks the best
    ///   this CPU has; ``GemmKernel/automatic`` and ``GemmKernel/openBLAS`` also mean native here).
    /// - Precondition: `b` has at least one row and column.
    public init(packing b: Matrix, transpose: Transpose, kernel: GemmKernel = .native) {
        precondition(b.rows > 0 && b.columns > 0, "PackedMatrix: empty matrix \(b.rows)×\(b.columns)")
        let resolved = NativeKernel.resolve(kernel)
        self.kernel = resolved
        self.panelWidth = resolved == .avx512 ? Int(TOWER_GEMM512_NR) : Int(TOWER_GEMM_NR)
        self.depth = transpose == .none ? b.rows : b.columns
        self.columns = transpose == .none ? b.columns : b.rows
        let floats = tower_gemm_packed_b_floats(panelWidth, columns, depth)
        panels = UnsafeMutableRawPointer.allocate(byteCount: floats * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: floats)
        let width = panelWidth, k = depth, n = columns
        b.withUnsafeBufferPointer { pb in
            tower_gemm_pack_b_panels(width, transpose == .none ? 0 : 1, k, n, pb.baseAddress, max(b.columns, 1), panels)
        }
    }

    deinit { panels.deallocate() }
}

/// `C = alpha · op(A) · op(B)[:, columns] + beta · C` with `op(B)` pre-packed (``PackedMatrix``).
///
/// `op(A)` is `[m, k]` (stored `[m, k]` with `lda >= k`, or transposed `[k, m]` with `lda >= m`),
/// `k` is `packedB.depth`, and `C` is `[m, columns.count]` (`ldc >= columns.count`); `beta == 0`
/// never reads C. Rows of C are split over `threads` threads (each packs its own rows of A).
/// Same results, bit for bit, as ``gemm(transA:transB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:threads:kernel:)``
/// on the unpacked B with the same kernel.
/// - Precondition: `columns` lies in `0 ..< packedB.columns` and starts on a multiple of
///   `packedB.panelWidth`; `m >= 0`.
public func gemm(
    transA: Transpose, m: Int, columns: Range<Int>, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    packedB: PackedMatrix, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int = 1
) {
    let k = packedB.depth, n = columns.count
    precondition(m >= 0, "gemm: negative m \(m)")
    precondition(columns.lowerBound >= 0 && columns.upperBound <= packedB.columns,
                 "gemm: columns \(columns) outside the packed matrix's 0..<\(packedB.columns)")
    precondition(columns.lowerBound % packedB.panelWidth == 0,
                 "gemm: columns start \(columns.lowerBound) is not a multiple of the panel width \(packedB.panelWidth)")
    precondition(lda >= max(transA == .none ? k : m, 1), "gemm: lda \(lda) too small for op(A) \(m)×\(k)")
    precondition(ldc >= max(n, 1), "gemm: ldc \(ldc) < n \(n)")
    guard m > 0, n > 0 else { return }
    let ta: Int32 = transA == .none ? 0 : 1
    let first = UnsafePointer(packedB.panels) + (columns.lowerBound / packedB.panelWidth) * k * packedB.panelWidth
    let operands = PackedOperands(a: a, packedB: first, c: c)
    let kernel = packedB.kernel
    let threadCount = max(1, min(threads, (m + 11) / 12))
    parallelFor(chunks: threadCount, threads: threadCount) { part in
        let rows = chunkRange(count: m, chunks: threadCount, chunk: part, alignment: 12)
        guard !rows.isEmpty else { return }
        let rowsA = operands.a + (transA == .none ? rows.lowerBound * lda : rows.lowerBound)
        let rowsC = operands.c + rows.lowerBound * ldc
        gemmWorkspacePool.withWorkspace(aFloats: tower_gemm_pack_a_floats(rows.count, k), bFloats: 0) { workspace in
            switch kernel {
            case .portable:
                portableGemm(transA: ta, transB: 0, m: rows.count, n: n, k: k, alpha: alpha, a: rowsA, lda: lda,
                             b: nil, ldb: 1, beta: beta, c: rowsC, ldc: ldc, packA: workspace.packA!, packB: nil,
                             packedB: operands.packedB)
            case .avx2:
                tower_sgemm_avx2_packed_b(ta, rows.count, n, k, alpha, rowsA, lda, operands.packedB, beta,
                                          rowsC, ldc, workspace.packA)
            case .avx512:
                tower_sgemm_avx512_packed_b(ta, rows.count, n, k, alpha, rowsA, lda, operands.packedB, beta,
                                            rowsC, ldc, workspace.packA)
            }
        }
    }
}

/// Raw pointers handed to the worker threads of a pre-packed product.
private struct PackedOperands: @unchecked Sendable {
    let a: UnsafePointer<Float>
    let packedB: UnsafePointer<Float>
    let c: UnsafeMutablePointer<Float>
}
