import TowerCore

/// One worker's scan of a block of queries over a range of items: scores computed in item blocks
/// (starting on panel boundaries) into a scratch buffer — by `gemm` against the pre-packed
/// float32 items, or by the bfloat16 kernel — each row offered to the worker's `TopKSelector`
/// with the query's excluded items skipped.
struct BlockScan {
    let shared: SharedInputs
    let excluding: IndexLists?
    let dimension: Int
    let itemBlock: Int
    var selector: TopKSelector
    let scoreBuffer: UnsafeMutablePointer<Float>

    init(index: BruteForceIndex, shared: SharedInputs, k: Int, queryRows: Int, excluding: IndexLists?) {
        self.shared = shared
        self.excluding = excluding
        self.dimension = index.dimension
        // A multiple of the panel width, so every block but a lone one starts on a panel boundary.
        let width = index.panelWidth
        let block = Swift.min((Swift.max(1, index.itemBlock) + width - 1) / width * width, index.count)
        self.itemBlock = block
        self.selector = TopKSelector(k: k, rows: queryRows)
        self.scoreBuffer = .allocate(capacity: queryRows * block)
    }

    func deallocate() { scoreBuffer.deallocate() }

    /// Resets the selector and offers it queries `q0 ..< q0 + qn` (as rows `0 ..< qn`) scored
    /// against `items`.
    mutating func run(q0: Int, qn: Int, items: Range<Int>) {
        let d = dimension
        selector.reset()
        var i0 = items.lowerBound
        while i0 < items.upperBound {
            let inb = Swift.min(itemBlock, items.upperBound - i0)
            switch shared.scorer {
            case .float32(let packed):
                gemm(transA: .none, m: qn, columns: i0 ..< i0 + inb, alpha: 1, a: shared.queries + q0 * d, lda: d,
                     packedB: packed, beta: 0, c: scoreBuffer, ldc: inb, threads: 1)
            case .bfloat16(let packed, let pairs):
                packed.scores(queries: pairs + q0 * packed.pairs, rows: qn, columns: i0 ..< i0 + inb,
                              c: scoreBuffer, ldc: inb)
            }
            for r in 0..<qn {
                let row = scoreBuffer + r * inb
                if let excluding, excluding.count(q0 + r) > 0 {
                    excluding.values.withUnsafeBufferPointer { v in
                        let lo = excluding.offsets[q0 + r], hi = excluding.offsets[q0 + r + 1]
                        selector.offer(row: r, scores: row, count: inb, indexOffset: i0,
                                       excluding: UnsafeBufferPointer(rebasing: v[lo..<hi]))
                    }
                } else {
                    selector.offer(row: r, scores: row, count: inb, indexOffset: i0)
                }
            }
            i0 += inb
        }
    }
}

/// Raw output pointers of a search, written by several workers at disjoint rows.
struct TopKOutput: @unchecked Sendable {
    var rows: UnsafeMutablePointer<Int32>?
    var scores: UnsafeMutablePointer<Float>?
    var counts: UnsafeMutablePointer<Int>?
}

/// Read-only inputs shared by the workers of one call: the float32 queries `[q, d]` and how the
/// items are scored.
struct SharedInputs: @unchecked Sendable {
    /// The item side of the scores.
    enum Scorer {
        /// float32 `gemm` against `itemsᵀ` packed once.
        case float32(PackedMatrix)
        /// The bfloat16 kernel; `pairs` are the queries rounded to bfloat16 pairs (`[q, pairs]`).
        case bfloat16(BFloat16Matrix, pairs: UnsafePointer<UInt32>)
    }

    let queries: UnsafePointer<Float>
    let scorer: Scorer

    init(queries: UnsafePointer<Float>, items: PackedMatrix) {
        self.queries = queries
        self.scorer = .float32(items)
    }

    init(queries: UnsafePointer<Float>, bfloat16 items: BFloat16Matrix, pairs: UnsafePointer<UInt32>) {
        self.queries = queries
        self.scorer = .bfloat16(items, pairs: pairs)
    }

    /// The float32 packed items (per-row evaluation only scores in float32).
    var items: PackedMatrix {
        guard case .float32(let packed) = scorer else { preconditionFailure("SharedInputs: float32 items expected") }
        return packed
    }
}
