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
/// The value also carries what the backward pass needs (the query, the item matrix and the negative
/// blocks), so ``ItemRetrievalScorer/backward(_:logitsGradient:)`` is a function of it alone: the
/// scorer keeps no state between a forward and its backward.
///
/// The arrays share the scorer's reusable buffers (copy-on-write): hand this value to the backward
/// pass with `consume` (or release it) before the next forward call, or that call copies instead
/// of reusing.
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

    // What the backward pass reads (empty at inference).
    /// `[B, d]` queries of the forward.
    var query = Matrix(rows: 0, columns: 0)
    /// `[R, d]` item matrix of the forward; rows `0..<B` are the positives.
    var items = Matrix(rows: 0, columns: 0)
    /// The non-empty negative blocks, in logit-column order.
    var scoredSegments: [ScoredSegment] = []
    /// The dot products' factor, `1/T`.
    var scale: Float = 1

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

/// One non-empty negative block as scored: its columns, and its embeddings as rows
/// `firstRow ..< firstRow + info.count` of `embeddings` (the step's item matrix for live rows).
struct ScoredSegment: Sendable {
    var info: NegativeSegment
    var embeddings: Matrix
    var firstRow: Int
    /// Whether the rows are the item matrix's (their gradient goes into ``ScorerGradients/items``).
    var live: Bool { info.gradientFlow != .none }
}

/// Gradients of the loss returned by ``ItemRetrievalScorer/backward(_:logitsGradient:)`` and
/// ``ItemRetrievalScorer/backward()``.
///
/// Like ``ItemRetrievalScores`` these share the scorer's reusable buffers: release them before the
/// next backward call to avoid a copy.
public struct ScorerGradients: Sendable {
    /// `[B, d]` gradient w.r.t. the query embeddings.
    public var query: Matrix
    /// `[R, d]` gradient w.r.t. every row of the forward's item matrix: the positives (rows
    /// `0..<B`, including the gradient of the in-batch negatives, the same live rows) and the live
    /// negative rows; rows no block used are 0. From ``ItemRetrievalScorer/backward()`` (the
    /// sampler-driven call) `R = B`, and corpus samplers' rows come in `sampledNegatives`.
    public var items: Matrix
    /// From ``ItemRetrievalScorer/backward()`` only: one entry per corpus sampler
    /// (``NegativeGradientFlow/sampledItems``) that returned rows, in sampler order: run the item
    /// tower backward on `ids` with `embeddings`. Empty from ``ItemRetrievalScorer/backward(_:logitsGradient:)``.
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
