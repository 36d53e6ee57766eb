import TowerKernels

/// An item matrix rounded to bfloat16 and packed for the bfloat16 scoring kernel, for
/// approximate maximum-inner-product search at half the memory traffic of float32 and twice the
/// multiply-adds per instruction (AVX512_BF16's `VDPBF16PS`; the scalar-quantised scan of faiss's
/// `IndexScalarQuantizer` with `QT_bf16`, ScaNN's bfloat16 scoring).
///
/// Scores are `queries · itemsᵀ` with both sides rounded to bfloat16 (8 significant bits,
/// relative error ≤ 2⁻⁸ per value) and the products summed in float32: each score is within
/// about `2⁻⁷ · ‖query‖ · ‖item‖` of the float32 dot product. Exact retrieval re-scores the
/// candidates this selects in float32 (`BruteForceIndex`'s bfloat16 mode).
///
/// Layout: panels of ``panelWidth`` (32) items; panel `j` holds, for each pair `p` of
/// dimensions, the items `j·32 ..< j·32 + 32` as `(x[2p], x[2p+1])` pairs (zero-padded past the
/// items and an odd dimension). Memory: `roundUp(items, 32) · roundUp(d, 2)` × 2 bytes.
public final class BFloat16Matrix: @unchecked Sendable {
    /// Items (columns of `itemsᵀ`).
    public let columns: Int
    /// Dimensions per item.
    public let depth: Int
    /// Items per packed panel; a product over an item range must start on a multiple of it.
    public let panelWidth = Int(TOWER_BF16_NR)
    /// Whether products run on the AVX512_BF16 kernel (else the portable reference, much slower).
    public let usesNativeKernel: Bool
    let panels: UnsafeMutablePointer<UInt16>

    /// Whether this CPU has AVX512_BF16 (without it the bfloat16 path runs the slow portable kernel).
    public static var cpuHasNativeKernel: Bool { tower_cpu_has_avx512_bf16() != 0 }

    /// Packs `items` (`[items, d]`, at least one of each).
    /// - Parameter native: run products on the AVX512_BF16 kernel when the CPU has it (`false`
    ///   forces the portable reference, for tests).
    public init(packingItems items: Matrix, native: Bool = true) {
        precondition(items.rows > 0 && items.columns > 0, "BFloat16Matrix: empty matrix \(items.rows)×\(items.columns)")
        columns = items.rows
        depth = items.columns
        usesNativeKernel = native && Self.cpuHasNativeKernel
        let elements = tower_bf16_packed_b_elements(columns, depth)
        panels = UnsafeMutableRawPointer.allocate(byteCount: elements * MemoryLayout<UInt16>.stride, alignment: 64)
            .bindMemory(to: UInt16.self, capacity: elements)
        items.withUnsafeBufferPointer { p in
            tower_bf16_pack_items(columns, depth, p.baseAddress, depth, panels)
        }
    }

    deinit { panels.deallocate() }

    /// Dimension pairs per item (`ceil(depth / 2)`).
    public var pairs: Int { (depth + 1) / 2 }

    /// Bytes held by the packed panels.
    public var byteCount: Int { tower_bf16_packed_b_elements(columns, depth) * MemoryLayout<UInt16>.stride }

    /// Rounds query rows `[m, depth]` (row stride `lda`) to bfloat16 pairs for ``scores``:
    /// `m · pairs` values.
    public func packQueries(_ a: UnsafePointer<Float>, rows m: Int, lda: Int) -> [UInt32] {
        precondition(lda >= depth, "BFloat16Matrix.packQueries: lda \(lda) < depth \(depth)")
        var out = [UInt32](repeating: 0, count: m * pairs)
        out.withUnsafeMutableBufferPointer { o in tower_bf16_pack_queries(m, depth, a, lda, o.baseAddress) }
        return out
    }

    /// `C[m, columns.count]` (row stride `ldc`) = bfloat16 scores of `m` packed query rows
    /// (``packQueries``; row `r` at `queries + r · pairs`) against the items `columns`.
    /// - Precondition: `columns` lies in `0 ..< self.columns` and starts on a multiple of ``panelWidth``.
    public func scores(queries: UnsafePointer<UInt32>, rows m: Int, columns range: Range<Int>,
                       c: UnsafeMutablePointer<Float>, ldc: Int) {
        precondition(range.lowerBound >= 0 && range.upperBound <= columns, "BFloat16Matrix.scores: columns \(range) outside 0..<\(columns)")
        precondition(range.lowerBound % panelWidth == 0, "BFloat16Matrix.scores: columns start \(range.lowerBound) is not a multiple of \(panelWidth)")
        precondition(ldc >= range.count, "BFloat16Matrix.scores: ldc \(ldc) < \(range.count)")
        guard m > 0, !range.isEmpty else { return }
        let first = UnsafePointer(panels) + (range.lowerBound / panelWidth) * pairs * 2 * panelWidth
        if usesNativeKernel {
            tower_sgemm_bf16_avx512(m, range.count, pairs, queries, first, c, ldc)
        } else {
            tower_sgemm_bf16_portable(m, range.count, pairs, queries, first, c, ldc)
        }
    }

    /// float32 → bfloat16 (round to nearest even) → float32: the value the kernel multiplies.
    public static func rounded(_ x: Float) -> Float { tower_bf16_to_float(tower_bf16_from_float(x)) }
}
