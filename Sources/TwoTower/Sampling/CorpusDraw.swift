import TowerCore

/// The state shared by corpus samplers: the ids of the last draw, their probabilities, and the
/// item-tower embeddings supplied for them.
///
/// Protocol for one step (see ``PopularityBasedSampler``):
/// 1. `sampleIds()` draws the ids (and their probabilities);
/// 2. the caller embeds them with the item tower, `[N, d]`, and calls `provideEmbeddings(_:)`
///    — or the sampler was built with an `embed` closure that does both inside `sample()`;
/// 3. the scorer calls the sampler, which returns those rows once (they are then consumed).
struct CorpusDraw {
    let samplerName: String
    let itemIdFeatureName: String
    var embed: ((_ ids: [Int]) throws -> Matrix)?
    var ids: [Int] = []
    var probabilities: [Float] = []
    var embeddings: Matrix?
    /// Ids drawn but not yet returned by `take()`.
    var pending = false

    mutating func provide(_ m: Matrix) throws {
        guard pending else { throw SamplerError.invalidArgument("\(samplerName): provideEmbeddings(_:) called without a pending sampleIds() draw") }
        guard m.rows == ids.count else {
            throw SamplerError.sampledRowCountMismatch(sampler: samplerName, drawn: ids.count, embeddings: m.rows)
        }
        embeddings = m
    }

    /// Marks the ids and probabilities just written as a new draw awaiting its embeddings.
    mutating func recordDraw() {
        pending = true
        embeddings = nil
    }

    /// Whether `sample()` must draw first: no pending draw, and an `embed` closure to embed it
    /// (without one, the caller had to call `sampleIds()` and `provideEmbeddings(_:)`).
    func mustDrawBeforeTaking() throws -> Bool {
        guard !pending else { return false }
        guard embed != nil else { throw SamplerError.embeddingsNotProvided(sampler: samplerName) }
        return true
    }

    /// The drawn rows with their ids; embeds with the closure when no embeddings were provided.
    mutating func take() throws -> EmbeddingWithMetadata {
        guard pending else { throw SamplerError.embeddingsNotProvided(sampler: samplerName) }
        if embeddings == nil {
            guard let embed else { throw SamplerError.embeddingsNotProvided(sampler: samplerName) }
            try provide(embed(ids))
        }
        pending = false
        let out = EmbeddingWithMetadata(unchecked: embeddings!, metadata: [itemIdFeatureName: ids])
        embeddings = nil
        return out
    }
}
