/// Errors raised by ``ItemRetrievalScorer`` and the logQ sources.
public enum ScorerError: Error, Equatable, CustomStringConvertible {
    case noSamplers
    case noNegatives(samplers: [String])
    case missingItemIds(source: String, feature: String)
    case dimensionMismatch(source: String, expected: Int, found: Int)
    case invalidFrequencies(String)
    case idOutOfRange(id: Int, tableSize: Int)
    case samplerProbabilitiesUnavailable(String)

    public var description: String {
        switch self {
        case .noSamplers:
            return "At least one sampler is required by ItemRetrievalScorer for negative sampling"
        case let .noNegatives(s):
            return "No negative items were sampled from samplers \(s.joined(separator: ", ")): every one returned 0 rows. "
                + "A cache (CachedCrossBatchSampler, CachedUniformSampler) is empty until earlier batches filled it, "
                + "so it cannot be the only sampler: put InBatchSampler or a corpus sampler (UniformCorpusSampler, "
                + "PopularityBasedSampler) beside it"
        case let .missingItemIds(source, f):
            return "ItemRetrievalScorer: \(source) has no '\(f)' metadata, needed for false-negative downscoring or logQ correction"
        case let .dimensionMismatch(source, e, f):
            return "ItemRetrievalScorer: \(source) has embedding dimension \(f), expected \(e) (the query dimension)"
        case let .invalidFrequencies(text):
            return text
        case let .idOutOfRange(id, n):
            return "logQ correction: item id \(id) is outside the frequency table (\(n) entries, ids 0..<\(n))"
        case let .samplerProbabilitiesUnavailable(text):
            return "logQ correction from sampler probabilities: \(text)"
        }
    }
}
