import TowerCore

/// Corpus negatives drawn uniformly without replacement from `[minId, maxId)` — the "index data"
/// stream of mixed negative sampling (Yang et al. 2020), used beside ``InBatchSampler``.
///
/// Each draw is a uniformly random set of `maxNumSamples` distinct ids (Floyd's algorithm, exactly
/// `maxNumSamples` random numbers), so every id's inclusion probability is exactly
/// `maxNumSamples / (maxId − minId)`, reported per row for logQ.
/// Step protocol as ``PopularityBasedSampler``: ``sampleIds()``, embed with the item tower,
/// ``provideEmbeddings(_:)`` (or an `embed` closure); gradients flow to the drawn rows.
public final class UniformCorpusSampler: ProbabilityReportingSampler {
    public let maxId: Int
    public let minId: Int
    public let itemIdFeatureName: String
    public var maxNumSamples: Int? { numSamples }
    public var requiredFeatures: [String] { [] }
    public var negativeGradientFlow: NegativeGradientFlow { .sampledItems }
    public var lastIds: [Int] { draw.ids }
    public var lastSampleProbabilities: [Float] { draw.probabilities }
    private let numSamples: Int
    private let range: Int
    var rng: Xoshiro256
    private var seen: IntHashSet
    private var draw: CorpusDraw

    /// - Precondition: `0 <= minId < maxId`, `1 <= maxNumSamples <= maxId − minId`.
    public init(maxId: Int, minId: Int = 0, maxNumSamples: Int = 100, seed: UInt64,
                itemIdFeatureName: String = "item_id", embed: ((_ ids: [Int]) throws -> Matrix)? = nil) {
        precondition(minId >= 0 && maxId > minId, "UniformCorpusSampler: need 0 <= minId < maxId, got minId \(minId), maxId \(maxId)")
        precondition(maxNumSamples >= 1 && maxNumSamples <= maxId - minId,
                     "UniformCorpusSampler: Number of items to sample `\(maxNumSamples)` must be in 1...\(maxId - minId) (maxId − minId)")
        self.maxId = maxId
        self.minId = minId
        self.numSamples = maxNumSamples
        self.range = maxId - minId
        self.itemIdFeatureName = itemIdFeatureName
        self.rng = Xoshiro256(seed: seed)
        self.seen = IntHashSet(maxElements: maxNumSamples)
        self.draw = CorpusDraw(samplerName: "UniformCorpusSampler", itemIdFeatureName: itemIdFeatureName, embed: embed)
    }

    /// `maxNumSamples / (maxId − minId)` inside the range, else 0.
    public func inclusionProbability(of id: Int) -> Double {
        guard id >= minId && id < maxId else { return 0 }
        return Double(numSamples) / Double(range)
    }

    /// Draws `maxNumSamples` distinct ids uniformly; returns them.
    @discardableResult
    public func sampleIds() -> [Int] {
        seen.removeAll()
        draw.ids.removeAll(keepingCapacity: true)
        // Floyd: for j in R−k ..< R, pick t in 0...j; take t unless already taken, else j.
        for j in (range - numSamples) ..< range {
            let t = Int(rng.next(upperBound: UInt64(j + 1)))
            if seen.insert(t) { draw.ids.append(minId + t) } else { _ = seen.insert(j); draw.ids.append(minId + j) }
        }
        let p = Float(Double(numSamples) / Double(range))
        draw.probabilities.removeAll(keepingCapacity: true)
        draw.probabilities.append(contentsOf: repeatElement(p, count: numSamples))
        draw.recordDraw()
        return draw.ids
    }

    public func provideEmbeddings(_ embeddings: Matrix) throws { try draw.provide(embeddings) }

    public func add(_ items: EmbeddingWithMetadata, training: Bool = true) throws { try checkRowCounts(items) }

    public func sample() throws -> EmbeddingWithMetadata {
        if try draw.mustDrawBeforeTaking() { sampleIds() }
        return try draw.take()
    }

    public func callAsFunction(_ items: EmbeddingWithMetadata, training: Bool = true) throws -> EmbeddingWithMetadata {
        try add(items, training: training)
        return try sample()
    }
}
