import TowerCore

/// Item embeddings and, per metadata feature, one integer id per row (Merlin's
/// `EmbeddingWithMetadata`).
///
/// `embeddings` is `[n, d]` row-major; every `metadata[name]` holds exactly `n` values, row `r`
/// of each feature describing embedding row `r`. Samplers take the current batch in this form and
/// return their negatives in this form.
public struct EmbeddingWithMetadata: Sendable {
    /// `[n, d]` embeddings, one row per item.
    public var embeddings: Matrix
    /// Feature name → `n` ids (at least `"item_id"` where false-negative detection or logQ is used).
    public var metadata: [String: [Int]]

    /// Number of rows, `n`.
    @inlinable public var count: Int { embeddings.rows }

    /// Checks that every metadata feature has as many values as `embeddings` has rows.
    /// - Throws: ``SamplerError/rowCountMismatch(embeddings:feature:metadata:)`` naming both counts.
    public init(embeddings: Matrix, metadata: [String: [Int]] = [:]) throws {
        for (name, values) in metadata where values.count != embeddings.rows {
            throw SamplerError.rowCountMismatch(embeddings: embeddings.rows, feature: name, metadata: values.count)
        }
        self.embeddings = embeddings
        self.metadata = metadata
    }

    /// Unchecked initialiser for library code whose shapes are correct by construction.
    init(unchecked embeddings: Matrix, metadata: [String: [Int]]) {
        self.embeddings = embeddings
        self.metadata = metadata
    }
}
