import TowerCore

/// In-batch negatives (Merlin's `InBatchSampler`, Yi et al. 2019): returns the current batch's item
/// embeddings and metadata unchanged.
///
/// Every row's own positive is among the negatives (column `1 + i` of the logits), as are
/// duplicates of popular items: keep ``ItemRetrievalScorer``'s false-negative downscoring on.
/// A smaller last batch yields fewer negatives; nothing is padded. The negatives are the live
/// item-tower outputs, so ``ItemRetrievalScorer`` adds their gradient into the positive items'
/// gradient rows (``NegativeGradientFlow/batchItems``). No copy, no allocation.
///
/// `callAsFunction` returns the batch without keeping a reference to it, so an item tower that
/// reuses its output buffer is not forced into a copy on its next write; `add` stores the batch
/// for a later `sample()` (Merlin's two-step protocol).
public final class InBatchSampler: ItemSampler {
    /// The batch size, inferred from the first call when not given.
    public private(set) var batchSize: Int?
    public private(set) var maxNumSamples: Int?
    public var requiredFeatures: [String] { [] }
    public var negativeGradientFlow: NegativeGradientFlow { .batchItems }
    private var last: EmbeddingWithMetadata?

    /// - Parameter batchSize: sets `maxNumSamples` too; inferred from the first batch when `nil`.
    public init(batchSize: Int? = nil) {
        self.batchSize = batchSize
        self.maxNumSamples = batchSize
    }

    /// Sets the batch size and, when not `nil`, `maxNumSamples`.
    public func setBatchSize(_ value: Int?) {
        batchSize = value
        if let value { maxNumSamples = value }
    }

    /// Sets `maxNumSamples` only.
    public func setMaxNumSamples(_ value: Int?) { maxNumSamples = value }

    /// Stores the batch (whatever `training`, as in Merlin).
    public func add(_ items: EmbeddingWithMetadata, training: Bool = true) throws {
        try checkRowCounts(items)
        if batchSize == nil { setBatchSize(items.count) }
        last = items
    }

    /// The last batch added.
    /// - Throws: ``SamplerError/notBuilt(sampler:)`` before the first batch.
    public func sample() throws -> EmbeddingWithMetadata {
        guard let last else { throw SamplerError.notBuilt(sampler: "InBatchSampler") }
        return last
    }

    public func callAsFunction(_ items: EmbeddingWithMetadata, training: Bool = true) throws -> EmbeddingWithMetadata {
        try checkRowCounts(items)
        if batchSize == nil { setBatchSize(items.count) }
        return items
    }
}
