/// Errors raised by samplers on bad input or misuse.
public enum SamplerError: Error, Equatable, CustomStringConvertible {
    /// Embeddings and one metadata feature disagree on the number of rows.
    case rowCountMismatch(embeddings: Int, feature: String, metadata: Int)
    /// A sampler needs a metadata feature that the input does not have.
    case missingFeature(sampler: String, feature: String)
    /// The embedding dimension differs from the one the sampler was built with.
    case dimensionMismatch(sampler: String, expected: Int, found: Int)
    /// The metadata features differ from those the sampler was built with.
    case featureSetMismatch(sampler: String, expected: [String], found: [String])
    /// `sample()` was called before the sampler saw any batch.
    case notBuilt(sampler: String)
    /// A corpus sampler was asked for its negatives before their embeddings were supplied.
    case embeddingsNotProvided(sampler: String)
    /// Embeddings supplied for a draw have the wrong number of rows.
    case sampledRowCountMismatch(sampler: String, drawn: Int, embeddings: Int)
    /// An invalid constructor or setter argument.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .rowCountMismatch(e, f, m):
            return "The batch size (first dim) of embeddings (\(e)) and metadata feature \"\(f)\" (\(m)) must match."
        case let .missingFeature(s, f):
            return "The '\(f)' metadata feature is required by \(s)."
        case let .dimensionMismatch(s, e, f):
            return "\(s): embeddings have \(f) columns, expected \(e) (the dimension of the first batch)."
        case let .featureSetMismatch(s, e, f):
            return "\(s): metadata features \(f), expected \(e) (the features of the first batch)."
        case let .notBuilt(s):
            return "The \(s) was not built yet: call it on a batch (callAsFunction or add) before sample()."
        case let .embeddingsNotProvided(s):
            return "\(s): no embeddings for the drawn ids; call sampleIds(), embed them with the item tower, then provideEmbeddings(_:) (or construct the sampler with an embed closure)."
        case let .sampledRowCountMismatch(s, d, e):
            return "\(s): \(e) embedding rows supplied for \(d) drawn ids."
        case let .invalidArgument(text):
            return text
        }
    }
}
