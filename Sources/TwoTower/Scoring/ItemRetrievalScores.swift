import TowerCore

/// Where one sampler's negatives sit among the logits' negative columns.
public struct NegativeSegment: Sendable, Equatable {
    /// Index of the sampler in ``ItemRetrievalScorer/samplers``.
    public var samplerIndex: Int
    /// First negative column (logit column `1 + offset`).
    public var offset: Int
    /// Number of negatives from this sampler.
    public var count: Int
    /// How gradients reach these negatives.
    public var gradientFlow: NegativeGradientFlow
}

/// The scorer's output for one batch.
///
/// In training: `logits` is `[B, 1+N]`, positive score in column 0 and the `N` negatives of all
/// samplers concatenated in list order, after false-negative rescoring, logQ and temperature;
/// the labels are one-hot on column 0. At inference: `logits` is `[B, 1]`, the raw dot products,
/// and there are no negatives.
///
/// The arrays share the scorer's reusable buffers (copy-on-write): release this value before the
/// next forward call (keep it a local of the step) or that call copies instead of reusing.
public struct ItemRetrievalScores: Sendable {
    /// `[B, 1+N]` (training) or `[B, 1]` (inference).
    public var logits: Matrix
    /// `[B]` ids of the positives (empty when not needed and not given).
    public var positiveItemIds: [Int]
    /// `[N]` ids of the negatives, column `n` of the negatives ↔ logit column `1+n` (empty when
    /// neither false-negative downscoring nor logQ needs them and the samplers gave none).
    public var negativeItemIds: [Int]
    /// Per sampler, its slice of the negative columns.
    public var segments: [NegativeSegment]
    /// False negatives in CSR form: row `b`'s downscored negative columns are
    /// `falseNegativeColumns[falseNegativeRowStart[b] ..< falseNegativeRowStart[b+1]]`, ascending.
    public var falseNegativeRowStart: [Int32]
    public var falseNegativeColumns: [Int32]

    /// Number of rows, `B`.
    public var batchSize: Int { logits.rows }
    /// Number of negatives, `N`.
    public var negativeCount: Int { logits.columns - 1 }

    /// Merlin's `valid_negatives_mask`, `[B, N]` row-major: `false` where the negative's id equals
    /// the row's positive id (a downscored accidental hit). Materialised on request (allocates).
    public var validNegativesMask: [Bool] {
        let b = batchSize, n = negativeCount
        var mask = [Bool](repeating: true, count: b * n)
        guard !falseNegativeRowStart.isEmpty else { return mask }
        for r in 0..<b {
            for k in Int(falseNegativeRowStart[r]) ..< Int(falseNegativeRowStart[r + 1]) {
                mask[r * n + Int(falseNegativeColumns[k])] = false
            }
        }
        return mask
    }
}

/// Gradients of the loss returned by ``ItemRetrievalScorer/backward()``.
///
/// Like ``ItemRetrievalScores`` these share the scorer's reusable buffers: release them before the
/// next backward call to avoid a copy.
public struct ScorerGradients: Sendable {
    /// `[B, d]` gradient w.r.t. the query embeddings.
    public var query: Matrix
    /// `[B, d]` gradient w.r.t. the positive item embeddings, including the gradient of every
    /// in-batch negative (they are the same live rows).
    public var items: Matrix
    /// One entry per corpus sampler (``NegativeGradientFlow/sampledItems``) that returned rows, in
    /// sampler order: run the item tower backward on `ids` with `embeddings`.
    public var sampledNegatives: [SampledNegativeGradient]
}

/// The gradient w.r.t. one corpus sampler's negatives.
public struct SampledNegativeGradient: Sendable {
    /// Index of the sampler in ``ItemRetrievalScorer/samplers``.
    public var samplerIndex: Int
    /// `[n]` ids of the rows (empty if the sampler gave none).
    public var ids: [Int]
    /// `[n, d]` gradient w.r.t. the sampled embeddings, row `r` ↔ `ids[r]`.
    public var embeddings: Matrix
}

/// Maps negative ids to their columns for false-negative detection: open addressing over the
/// distinct ids, with per-column chains in ascending column order. Rebuilt per step in O(N);
/// buffers grow to the largest N seen and are then reused.
struct FalseNegativeIndex {
    private var slotKeys: [Int] = []
    private var slotHead: [Int32] = []
    private var next: [Int32] = []
    private var mask = 0

    mutating func build(_ ids: UnsafeBufferPointer<Int>) {
        let n = ids.count
        var size = 16
        while size < 2 * max(n, 1) { size <<= 1 }
        if slotHead.count != size {
            slotKeys = [Int](repeating: 0, count: size)
            slotHead = [Int32](repeating: -1, count: size)
        } else {
            slotHead.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
        }
        if next.count < n { next = [Int32](repeating: -1, count: n) }
        mask = size - 1
        for col in stride(from: n - 1, through: 0, by: -1) {
            let id = ids[col]
            var s = hashIndex(id, mask: mask)
            while slotHead[s] >= 0 && slotKeys[s] != id { s = (s + 1) & mask }
            slotKeys[s] = id
            next[col] = slotHead[s]
            slotHead[s] = Int32(col)
        }
    }

    /// Calls `body` with each column whose id is `id`, ascending.
    @inline(__always)
    func forEachColumn(of id: Int, _ body: (Int32) -> Void) {
        var s = hashIndex(id, mask: mask)
        while slotHead[s] >= 0 {
            if slotKeys[s] == id {
                var c = slotHead[s]
                while c >= 0 { body(c); c = next[Int(c)] }
                return
            }
            s = (s + 1) & mask
        }
    }
}
