import TowerCore

/// One block of negatives for a training step, as the caller hands it to
/// ``ItemRetrievalScorer/trainingScores(query:items:positiveIds:negatives:)``.
///
/// A block is either rows of the step's item matrix — live item-tower outputs, whose gradient the
/// scorer accumulates into the same rows of ``ScorerGradients/items`` (in-batch negatives: rows
/// `0..<B`; corpus draws: the rows after the positives) — or stored embeddings that receive no
/// gradient (cross-batch and uniform caches). Negatives are shared by every row of the batch.
public struct NegativeBlock {
    /// Where the block's `[n, d]` embeddings are.
    public enum Embeddings {
        /// Rows of the step's item matrix `[R, d]` (live: they get a gradient).
        case itemRows(Range<Int>)
        /// Stored embeddings `[n, d]` (detached: no gradient).
        case detached(Matrix)
    }

    /// The embeddings.
    public var embeddings: Embeddings
    /// `[n]` item rows of the negatives; may be empty when neither false-negative downscoring nor
    /// logQ correction is on.
    public var ids: [Int]
    /// The sampler that drew the block, when its draw probabilities feed
    /// ``LogQCorrection/samplerProbabilities``.
    public var probabilitySource: (any ProbabilityReportingSampler)?
    /// Names the block's source in error messages (e.g. `"in-batch"`).
    public var source: String

    public init(_ embeddings: Embeddings, ids: [Int], probabilitySource: (any ProbabilityReportingSampler)? = nil,
                source: String) {
        self.embeddings = embeddings
        self.ids = ids
        self.probabilitySource = probabilitySource
        self.source = source
    }

    /// Number of negatives, `n`.
    public var count: Int {
        switch embeddings {
        case .itemRows(let rows): rows.count
        case .detached(let matrix): matrix.rows
        }
    }
}
