import Foundation
import TowerCore

/// Corpus negatives drawn from the log-uniform (Zipfian) law, as TensorFlow's
/// `log_uniform_candidate_sampler(unique: true)` that Merlin's `PopularityBasedSampler` uses.
///
/// Ids are assumed sorted by decreasing popularity (NVTabular `Categorify`'s default). With
/// `R = maxId − minId`, one draw returns `minId + c` with
/// `P(c) = (log(c+2) − log(c+1)) / log(R+1)`, `c ∈ [0, R)`: `maxId` itself is never drawn.
/// Draws are repeated until `maxNumSamples` distinct ids are found; `T` is the number of draws made.
///
/// **Reported probability.** For each drawn id the sampler reports `1 − (1 − P(c))^T`, computed as
/// `−expm1(T·log1p(−P(c)))`. Given that `T` independent draws were made, this is exactly the
/// probability that id `c` was among them, and it is what TensorFlow reports as the "expected
/// count" of a unique draw, which the logQ literature (Jean et al. 2015, Yi et al. 2019, TF's
/// sampled softmax) subtracts. It conditions on the realised `T` rather than on the fixed
/// sample size — the unconditional inclusion probability for "stop at k distinct" has no closed
/// form — and it reduces to `P(c)` when `maxNumSamples == 1`. Merlin's V1 table is shifted by one
/// id (id `minId` got 0) and V2's uses `log(R+2)`; this one is TF's law, aligned.
///
/// The item tower must embed the drawn ids so gradients reach their rows: call ``sampleIds()``,
/// embed, ``provideEmbeddings(_:)``; or pass an `embed` closure. Negatives are returned once per
/// draw with their ids under `itemIdFeatureName` and get their own gradient in
/// ``ItemRetrievalScorer/backward()`` (``NegativeGradientFlow/sampledItems``).
/// Allocation: a de-duplication table for `maxNumSamples` ids at construction; the id and
/// probability arrays are reused across draws.
public final class PopularityBasedSampler: ProbabilityReportingSampler {
    public let maxId: Int
    public let minId: Int
    public let itemIdFeatureName: String
    public var maxNumSamples: Int? { numSamples }
    public var requiredFeatures: [String] { [] }
    public var negativeGradientFlow: NegativeGradientFlow { .sampledItems }
    /// Draws made by the last ``sampleIds()`` (TF's `num_tries`).
    public private(set) var lastNumTries = 0
    /// Ids of the last draw.
    public var lastIds: [Int] { draw.ids }
    public var lastSampleProbabilities: [Float] { draw.probabilities }
    private let numSamples: Int
    private let distribution: LogUniformDistribution
    var rng: Xoshiro256
    private var seen: IntHashSet
    private var draw: CorpusDraw

    /// - Parameters:
    ///   - maxId: exclusive upper bound of the ids drawn.
    ///   - minId: smallest id drawn (the most popular).
    ///   - maxNumSamples: distinct ids per draw, `1 ... maxId − minId`.
    ///   - seed: seed of the sampler's `Xoshiro256`.
    ///   - embed: optional closure running the item tower on drawn ids, returning `[ids.count, d]`.
    public init(maxId: Int, minId: Int = 0, maxNumSamples: Int = 100, seed: UInt64,
                itemIdFeatureName: String = "item_id", embed: ((_ ids: [Int]) throws -> Matrix)? = nil) {
        precondition(minId >= 0 && maxId > minId, "PopularityBasedSampler: need 0 <= minId < maxId, got minId \(minId), maxId \(maxId)")
        precondition(maxNumSamples >= 1 && maxNumSamples <= maxId - minId,
                     "PopularityBasedSampler: Number of items to sample `\(maxNumSamples)` must be in 1...\(maxId - minId) (maxId − minId)")
        self.maxId = maxId
        self.minId = minId
        self.numSamples = maxNumSamples
        self.distribution = LogUniformDistribution(range: maxId - minId)
        self.itemIdFeatureName = itemIdFeatureName
        self.rng = Xoshiro256(seed: seed)
        self.seen = IntHashSet(maxElements: maxNumSamples)
        self.draw = CorpusDraw(samplerName: "PopularityBasedSampler", itemIdFeatureName: itemIdFeatureName, embed: embed)
        draw.ids.reserveCapacity(maxNumSamples)
        draw.probabilities.reserveCapacity(maxNumSamples)
    }

    /// Probability of `id` in one log-uniform draw (0 outside `[minId, maxId)`); see
    /// `LogUniformDistribution.probability(of:)`.
    public func logUniformProbability(of id: Int) -> Double {
        guard id >= minId && id < maxId else { return 0 }
        return distribution.probability(of: id - minId)
    }

    /// `1 − (1 − P(id))^T` with `T` the tries of the last draw (`maxNumSamples` before any draw).
    public func inclusionProbability(of id: Int) -> Double {
        let p = logUniformProbability(of: id)
        let tries = Double(lastNumTries > 0 ? lastNumTries : numSamples)
        return -expm1(tries * log1p(-p))
    }

    /// Draws `maxNumSamples` distinct ids and records their probabilities; returns the ids.
    @discardableResult
    public func sampleIds() -> [Int] {
        seen.removeAll()
        draw.ids.removeAll(keepingCapacity: true)
        var tries = 0
        while draw.ids.count < numSamples {
            let c = distribution.sample(using: &rng)
            tries += 1
            if seen.insert(c) { draw.ids.append(minId + c) }
        }
        lastNumTries = tries
        draw.probabilities.removeAll(keepingCapacity: true)
        let t = Double(tries)
        for id in draw.ids {
            draw.probabilities.append(Float(-expm1(t * log1p(-logUniformProbability(of: id)))))
        }
        draw.recordDraw()
        return draw.ids
    }

    /// Supplies the item tower's `[N, d]` embeddings of the last ``sampleIds()``.
    public func provideEmbeddings(_ embeddings: Matrix) throws { try draw.provide(embeddings) }

    /// No-op (the corpus is not learned from batches).
    public func add(_ items: EmbeddingWithMetadata, training: Bool = true) throws { try checkRowCounts(items) }

    /// The pending draw's embeddings and ids; draws and embeds first when an `embed` closure was given.
    public func sample() throws -> EmbeddingWithMetadata {
        if try draw.mustDrawBeforeTaking() { sampleIds() }
        return try draw.take()
    }

    public func callAsFunction(_ items: EmbeddingWithMetadata, training: Bool = true) throws -> EmbeddingWithMetadata {
        try add(items, training: training)
        return try sample()
    }
}
