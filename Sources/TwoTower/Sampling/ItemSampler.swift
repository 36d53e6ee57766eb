import TowerCore

/// How gradients reach the negatives a sampler returns (read by ``ItemRetrievalScorer``).
public enum NegativeGradientFlow: Sendable, Equatable {
    /// The negatives are the current batch's item rows themselves, in order (in-batch sampling):
    /// their gradient is added into the positive items' gradient rows.
    case batchItems
    /// The negatives are live item-tower outputs for ids drawn from the corpus: they get their own
    /// gradient matrix, returned with their ids so the caller runs the item tower backward on them.
    case sampledItems
    /// Detached, stored embeddings (caches): no gradient.
    case none
}

/// A negative sampler for item retrieval (Merlin's `ItemSampler`).
///
/// Called with the current batch's item embeddings `[B, d]` and metadata, it returns negatives
/// `[N, d]` with their metadata. Negatives are shared by every row of the batch.
public protocol ItemSampler: AnyObject {
    /// Upper bound on the number of negatives per call, when known (informational, as in Merlin).
    var maxNumSamples: Int? { get }
    /// Metadata features this sampler needs in its input (e.g. `["item_id"]`).
    var requiredFeatures: [String] { get }
    /// How gradients reach the returned negatives. Defaults to `.none` (detached).
    var negativeGradientFlow: NegativeGradientFlow { get }
    /// Offers a batch to the sampler's state (caches store it when `training`).
    func add(_ items: EmbeddingWithMetadata, training: Bool) throws
    /// The current negatives.
    func sample() throws -> EmbeddingWithMetadata
    /// `add` and `sample` in the sampler's order; the call the scorer makes once per step.
    func callAsFunction(_ items: EmbeddingWithMetadata, training: Bool) throws -> EmbeddingWithMetadata
}

extension ItemSampler {
    public var negativeGradientFlow: NegativeGradientFlow { .none }
}

/// A sampler that knows the probability with which each of its negatives was drawn, usable for
/// logQ correction with ``LogQCorrection/samplerProbabilities``.
public protocol ProbabilityReportingSampler: ItemSampler {
    /// Probability that `id` is among the negatives of the last draw, under the same convention
    /// as ``lastSampleProbabilities`` (used for the positive column's correction).
    func inclusionProbability(of id: Int) -> Double
    /// One probability per row of the last `sample()`, in row order.
    var lastSampleProbabilities: [Float] { get }
}

/// Validates rows against metadata and names the sampler in the error.
@inline(__always)
func checkRowCounts(_ items: EmbeddingWithMetadata) throws {
    for (name, values) in items.metadata where values.count != items.embeddings.rows {
        throw SamplerError.rowCountMismatch(embeddings: items.embeddings.rows, feature: name, metadata: values.count)
    }
}
