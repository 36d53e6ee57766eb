import TowerCore

/// Cross-batch negatives (Wang et al. 2021, Merlin v0.5.0's `CachedCrossBatchSampler`): a FIFO
/// ring of detached item embeddings and metadata from earlier batches.
///
/// - `add` stores rows only when `training`; an oversize batch keeps its last `capacity` rows.
/// - With `ignoreLastBatchOnSample` (the default, as in Merlin's code) a call samples *before*
///   adding, so the current batch is never among its own cached negatives and the first batch
///   yields 0 rows.
/// - `sample()` returns every stored row, oldest first: `min(rows added, capacity)` rows.
/// - Cached rows are copies: no gradient reaches them (``NegativeGradientFlow/none``).
///
/// Shapes are fixed by the first batch: `d` columns and its set of metadata features.
/// Allocation: the ring (`capacity × d` floats) on the first batch; `sample()` copies into a reused
/// output buffer (no allocation once the caller has released the previous result).
public final class CachedCrossBatchSampler: ItemSampler {
    public let capacity: Int
    public let ignoreLastBatchOnSample: Bool
    public var maxNumSamples: Int? { capacity }
    public var requiredFeatures: [String] { [] }
    /// Rows currently cached.
    public var count: Int { ring.count }
    var ring: EmbeddingRing
    private var scratchFeatures: [[Int]] = []

    /// - Precondition: `capacity > 0`.
    public init(capacity: Int, ignoreLastBatchOnSample: Bool = true) {
        self.capacity = capacity
        self.ignoreLastBatchOnSample = ignoreLastBatchOnSample
        self.ring = EmbeddingRing(capacity: capacity, samplerName: "CachedCrossBatchSampler")
    }

    /// Enqueues the batch's rows when `training` (else only validates it).
    public func add(_ items: EmbeddingWithMetadata, training: Bool = true) throws {
        try ring.buildOrCheck(items)
        guard training else { return }
        scratchFeatures.removeAll(keepingCapacity: true)
        for name in ring.featureNames { scratchFeatures.append(items.metadata[name]!) }
        let n = items.count
        for r in max(0, n - capacity) ..< n { ring.append(row: r, of: items, features: scratchFeatures) }
        scratchFeatures.removeAll(keepingCapacity: true)
    }

    /// All cached rows, oldest first.
    /// - Throws: ``SamplerError/notBuilt(sampler:)`` before the first batch.
    public func sample() throws -> EmbeddingWithMetadata {
        guard ring.isBuilt else { throw SamplerError.notBuilt(sampler: "CachedCrossBatchSampler") }
        return ring.gather()
    }

    public func callAsFunction(_ items: EmbeddingWithMetadata, training: Bool = true) throws -> EmbeddingWithMetadata {
        try ring.buildOrCheck(items)
        if ignoreLastBatchOnSample {
            let out = try sample()
            try add(items, training: training)
            return out
        }
        try add(items, training: training)
        return try sample()
    }

    /// Empties the cache (keeps its buffers).
    public func clear() { ring.clear() }
}
