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
    /// For a query-tower bag of item ids (the user's history): at training time, the row's
    /// positive item is left out of its own bag, so the model cannot learn to copy it.
    public let excludesTarget: Bool

    /// - Precondition: every id lies in `0..<vocabularySize`; CSR offsets are well formed.
    public init(name: String, vocabularySize: Int, values: Values, excludesTarget: Bool = false) {
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
        self.excludesTarget = excludesTarget
    }

    /// Number of entities described.
    public var entityCount: Int {
        switch values {
        case .single(let ids): ids.count
        case .multi(let offsets, _): offsets.count - 1
        }
    }
}

extension EntityFeature {
    /// The query-tower feature `history`: each user's `count` most recent training items (by
    /// timestamp, else by position in the log), excluding the row's positive at training time.
    /// - Parameters:
    ///   - users, items, timestamps: the training interactions.
    public static func history(users: [Int32], items: [Int32], timestamps: [Int64]?, userCount: Int, itemCount: Int,
                               count: Int) -> EntityFeature {
        precondition(count > 0, "EntityFeature.history: count must be positive")
        var byUser = [[Int]](repeating: [], count: userCount)
        for k in users.indices { byUser[Int(users[k])].append(k) }
        var offsets: [Int32] = [0], ids: [Int32] = []
        for rows in byUser {
            let ordered = timestamps.map { t in rows.sorted { (t[$0], $0) < (t[$1], $1) } } ?? rows
            for k in ordered.suffix(count) { ids.append(items[k]) }
            offsets.append(Int32(ids.count))
        }
        return EntityFeature(name: "history", vocabularySize: itemCount, values: .multi(offsets: offsets, ids: ids),
                             excludesTarget: true)
    }
}

/// Merlin's default embedding width: `ceil(cardinality^0.25 × 2)` rounded up to a multiple of 8
/// (`infer_embedding_dim` in merlin/models/utils/schema_utils.py).
public func inferredEmbeddingDimensions(cardinality: Int) -> Int {
    precondition(cardinality > 0, "inferredEmbeddingDimensions: cardinality must be positive")
    let raw = Int((pow(Double(cardinality), 0.25) * 2).rounded(.up))
    return max(8, (raw + 7) / 8 * 8)
}
