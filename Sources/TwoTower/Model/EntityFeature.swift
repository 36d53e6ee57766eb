import Foundation

/// A side feature of users or items, as the towers consume it: per entity row, one id
/// (categorical) or a list of ids (multi-valued, e.g. MovieLens genres), already mapped to dense ids.
public struct EntityFeature: Sendable, Equatable {
    /// How the ids of each entity are stored.
    public enum Values: Sendable, Equatable {
        /// `ids[row]`: one id per entity.
        case single([Int32])
        /// CSR: entity `row` holds `ids[offsets[row] ..< offsets[row + 1]]`; `offsets.count == entities + 1`.
        case multi(offsets: [Int32], ids: [Int32])
    }

    /// The feature's name (e.g. `genres`); tensor names in checkpoints derive from it.
    public let name: String
    /// Number of distinct ids (the embedding table's rows).
    public let vocabularySize: Int
    /// The ids of each entity.
    public let values: Values

    /// - Precondition: every id lies in `0..<vocabularySize`; CSR offsets are well formed.
    public init(name: String, vocabularySize: Int, values: Values) {
        precondition(vocabularySize > 0, "EntityFeature \(name): empty vocabulary")
        switch values {
        case .single(let ids):
            precondition(ids.allSatisfy { $0 >= 0 && Int($0) < vocabularySize },
                         "EntityFeature \(name): id out of range 0..<\(vocabularySize)")
        case .multi(let offsets, let ids):
            precondition(offsets.first == 0 && Int(offsets.last ?? -1) == ids.count,
                         "EntityFeature \(name): CSR offsets must start at 0 and end at \(ids.count)")
            precondition(ids.allSatisfy { $0 >= 0 && Int($0) < vocabularySize },
                         "EntityFeature \(name): id out of range 0..<\(vocabularySize)")
        }
        self.name = name
        self.vocabularySize = vocabularySize
        self.values = values
    }

    /// Number of entities described.
    public var entityCount: Int {
        switch values {
        case .single(let ids): ids.count
        case .multi(let offsets, _): offsets.count - 1
        }
    }
}

/// Merlin's default embedding width: `ceil(cardinality^0.25 × 2)` rounded up to a multiple of 8
/// (`infer_embedding_dim` in merlin/models/utils/schema_utils.py).
public func inferredEmbeddingDimensions(cardinality: Int) -> Int {
    precondition(cardinality > 0, "inferredEmbeddingDimensions: cardinality must be positive")
    let raw = Int((pow(Double(cardinality), 0.25) * 2).rounded(.up))
    return max(8, (raw + 7) / 8 * 8)
}
