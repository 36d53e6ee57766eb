import Foundation

/// A side feature of users or items, as the towers consume it: per entity row, one id
/// (categorical) or a list of ids (multi-valued, e.g. MovieLens genres), already mapped to dense
/// ids — both embedded — or a normalised number fed to the MLP (numeric, e.g. a release year).
public struct EntityFeature: Sendable, Equatable {
    /// How the ids of each entity are stored.
    public enum Values: Sendable, Equatable {
        /// `ids[row]`: one id per entity.
        case single([Int32])
        /// CSR: entity `row` holds `ids[offsets[row] ..< offsets[row + 1]]`; `offsets.count == entities + 1`.
        case multi(offsets: [Int32], ids: [Int32])
        /// `values[row]`: the z-score of the entity's number (0 when it has none), and
        /// `missing[row]` whether it has none. An MLP tower takes two inputs per numeric feature:
        /// the value and the missing indicator (0 or 1); neither is a parameter.
        case numeric(values: [Float], missing: [Bool])
    }

    /// The z-score a numeric feature's values went through: `(x − mean) / standardDeviation`.
    public struct Normalization: Sendable, Equatable, Codable {
        public var mean: Double
        /// The population standard deviation (1 when the values are all equal).
        public var standardDeviation: Double
        public init(mean: Double, standardDeviation: Double) {
            self.mean = mean; self.standardDeviation = standardDeviation
        }
    }

    /// The feature's name (e.g. `genres`); tensor names in checkpoints derive from it.
    public let name: String
    /// Number of distinct ids (the embedding table's rows); 0 for a numeric feature.
    public let vocabularySize: Int
    /// The ids of each entity.
    public let values: Values
    /// For a query-tower bag of item ids (the user's history): at training time, the row's
    /// positive item is left out of its own bag, so the model cannot learn to copy it.
    public let excludesTarget: Bool
    /// A numeric feature's normalisation (recorded in the model's `config.json`); `nil` otherwise.
    public let normalization: Normalization?

    /// - Precondition: every id lies in `0..<vocabularySize`; CSR offsets are well formed; a
    ///   numeric feature has `vocabularySize` 0, as many missing flags as values, finite values.
    public init(name: String, vocabularySize: Int, values: Values, excludesTarget: Bool = false,
                normalization: Normalization? = nil) {
        switch values {
        case .numeric(let v, let missing):
            precondition(vocabularySize == 0 && v.count == missing.count && v.allSatisfy(\.isFinite),
                         "EntityFeature \(name): a numeric feature needs vocabularySize 0 and one finite value and missing flag per entity")
        default:
            precondition(vocabularySize > 0, "EntityFeature \(name): empty vocabulary")
        }
        switch values {
        case .numeric: break
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
        self.normalization = normalization
    }

    /// True for a numeric feature (fed to the MLP, no embedding table).
    public var isNumeric: Bool {
        if case .numeric = values { return true }
        return false
    }

    /// A numeric feature from raw values `[entities]` (`nil`: none), z-score normalised with the
    /// mean and population standard deviation of the present values (computed in Double; a
    /// standard deviation of 0 — one distinct value — is taken as 1). Missing values become 0 with
    /// the missing flag set: the mean, as Merlin's `FillMissing` + `Normalize` would give, plus
    /// an indicator so the MLP can tell them apart. `normalization`: reuse a saved one instead.
    public static func numeric(name: String, raw: [Double?], normalization: Normalization? = nil) -> EntityFeature {
        let z: Normalization
        if let normalization { z = normalization } else {
            let present = raw.compactMap { $0 }
            precondition(!present.isEmpty, "EntityFeature.numeric \(name): no values")
            let mean = present.reduce(0, +) / Double(present.count)
            let variance = present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(present.count)
            let sd = variance.squareRoot()
            z = Normalization(mean: mean, standardDeviation: sd > 0 && sd.isFinite ? sd : 1)
        }
        let values = raw.map { $0.map { Float(($0 - z.mean) / z.standardDeviation) } ?? 0 }
        return EntityFeature(name: name, vocabularySize: 0, values: .numeric(values: values, missing: raw.map { $0 == nil }),
                             normalization: z)
    }

    /// Number of entities described.
    public var entityCount: Int {
        switch values {
        case .single(let ids): ids.count
        case .multi(let offsets, _): offsets.count - 1
        case .numeric(let values, _): values.count
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
