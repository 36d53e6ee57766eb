import TowerCore

/// A cache of *unique* items (Merlin v0.5.0's `CachedUniformSampler`, after Yang et al. 2020):
/// like ``CachedCrossBatchSampler`` but keyed by item id.
///
/// On `add` (only when `training`):
/// 1. the batch is deduplicated by id, keeping each id's first occurrence in batch order;
/// 2. ids already cached are refreshed in place (embedding and metadata), keeping their FIFO position;
/// 3. new ids are enqueued in batch order; when full, the oldest *inserted* id is evicted
///    (first-insertion order, not LRU — a refreshed id is still evicted first).
///
/// Ids and embeddings always stay aligned whatever the order of the ids: Merlin sorted the
/// embeddings but masked the unsorted metadata, misaligning them for unsorted ids.
/// `sample()` returns the cached rows oldest-first; they are detached (no gradient).
/// Allocation: the ring and an id→slot table sized for `capacity` on the first batch.
public final class CachedUniformSampler: ItemSampler {
    public let capacity: Int
    public let ignoreLastBatchOnSample: Bool
    public let itemIdFeatureName: String
    public var maxNumSamples: Int? { capacity }
    public var requiredFeatures: [String] { [itemIdFeatureName] }
    /// Unique ids currently cached.
    public var count: Int { ring.count }
    var ring: EmbeddingRing
    var slotOfId: [Int: Int]
    private var seen = IntHashSet(maxElements: 1024)
    private var seenCapacity = 1024
    private var newRows: [Int] = []
    private var scratchFeatures: [[Int]] = []

    /// - Precondition: `capacity > 0`.
    public init(capacity: Int, ignoreLastBatchOnSample: Bool = true, itemIdFeatureName: String = "item_id") {
        self.capacity = capacity
        self.ignoreLastBatchOnSample = ignoreLastBatchOnSample
        self.itemIdFeatureName = itemIdFeatureName
        self.ring = EmbeddingRing(capacity: capacity, samplerName: "CachedUniformSampler")
        self.slotOfId = Dictionary(minimumCapacity: capacity)
    }

    private func check(_ items: EmbeddingWithMetadata) throws {
        guard items.metadata[itemIdFeatureName] != nil else {
            throw SamplerError.missingFeature(sampler: "CachedUniformSampler", feature: itemIdFeatureName)
        }
        try ring.buildOrCheck(items)
    }

    public func add(_ items: EmbeddingWithMetadata, training: Bool = true) throws {
        try check(items)
        guard training else { return }
        let ids = items.metadata[itemIdFeatureName]!
        let key = ring.featureIndex(itemIdFeatureName)!
        scratchFeatures.removeAll(keepingCapacity: true)
        for name in ring.featureNames { scratchFeatures.append(items.metadata[name]!) }
        if ids.count > seenCapacity {
            seenCapacity = ids.count
            seen = IntHashSet(maxElements: seenCapacity)
        }
        seen.removeAll()
        newRows.removeAll(keepingCapacity: true)
        for r in 0..<ids.count where seen.insert(ids[r]) {
            if let slot = slotOfId[ids[r]] {
                ring.overwrite(slot: slot, row: r, of: items, features: scratchFeatures)
            } else {
                newRows.append(r)
            }
        }
        for r in newRows.suffix(capacity) {
            let (slot, evicted) = ring.append(row: r, of: items, features: scratchFeatures, evictedKey: key)
            if let evicted { slotOfId[evicted] = nil }
            slotOfId[ids[r]] = slot
        }
        scratchFeatures.removeAll(keepingCapacity: true)
    }

    /// All cached unique items, oldest insertion first.
    public func sample() throws -> EmbeddingWithMetadata {
        guard ring.isBuilt else { throw SamplerError.notBuilt(sampler: "CachedUniformSampler") }
        return ring.gather()
    }

    public func callAsFunction(_ items: EmbeddingWithMetadata, training: Bool = true) throws -> EmbeddingWithMetadata {
        try check(items)
        if ignoreLastBatchOnSample {
            let out = try sample()
            try add(items, training: training)
            return out
        }
        try add(items, training: training)
        return try sample()
    }
}
