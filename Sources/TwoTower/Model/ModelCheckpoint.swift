import Foundation
import TowerFormats
import TowerCore
import TowerData

/// A trained model as saved in a model directory (see ``ModelDirectory``):
///
/// - `config.json`: ``SavedModelConfiguration`` (towers, training settings, sizes, features);
/// - `model.safetensors`: every parameter by name (`user.id` F32 `[users, e]`, `item.mlp.dense0.weight`, …),
///   side features as CSR (`feature.item.genres.offsets`, `feature.item.genres.ids`, I32), numeric
///   side features as their normalised values (`feature.item.year.values` F32 `[items]`) and
///   missing flags (`feature.item.year.missing` I32 0/1 `[items]`; mean and standard deviation in
///   `config.json`), and the
///   training items of each user (`train_items.offsets` I64 `[users+1]`, `train_items.items` I32),
///   used to exclude seen items in `recommend`;
/// - `users.vocab`, `items.vocab`: raw ids of the rows.
public struct ModelCheckpoint: Sendable {
    /// Loaded configuration.
    public var configuration: SavedModelConfiguration
    /// Raw user ids of the query tower rows.
    public var users: Vocabulary
    /// Raw item ids of the item tower rows.
    public var items: Vocabulary
    /// Each user's training items (sorted rows).
    public var trainItemsByUser: IndexLists
    /// Weights and features, verified.
    public var weights: SafeTensors
    /// The model directory.
    public var path: String

    /// Saves `model` to the directory `path`, atomically, with what serving it needs: the
    /// vocabularies of its rows, each user's training items (for seen-item exclusion), the side
    /// features its towers read, the name of the data it was trained on and, when given, the
    /// ``DataSourceRecord`` to rebuild it. `extraFiles` are
    /// saved beside them, checksummed in the manifest (e.g. the run record `run.json`).
    /// The same as ``init(_:training:userVocabulary:itemVocabulary:trainItemsByUser:userFeatures:itemFeatures:dataName:validationSplit:dataSource:path:)``
    /// then ``save(to:extraFiles:)``.
    public static func save(_ model: TwoTowerModel, training: TrainingConfiguration,
                            userVocabulary: Vocabulary, itemVocabulary: Vocabulary,
                            trainItemsByUser lists: UserItemLists,
                            userFeatures: [EntityFeature] = [], itemFeatures: [EntityFeature] = [],
                            dataName: String, validationSplit: Bool = false,
                            dataSource: DataSourceRecord? = nil, extraFiles: [String: Data] = [:], to path: String) throws {
        let checkpoint = ModelCheckpoint(model, training: training, userVocabulary: userVocabulary, itemVocabulary: itemVocabulary,
                                         trainItemsByUser: lists, userFeatures: userFeatures, itemFeatures: itemFeatures,
                                         dataName: dataName, validationSplit: validationSplit, dataSource: dataSource,
                                         path: ModelCheckpoint.inMemoryPath)
        try checkpoint.save(to: path, extraFiles: extraFiles)
    }

    /// Reads and verifies the model directory `path` (format, checksums, finite weights), checks
    /// every `config.json` field and the shape of every parameter tensor against it, before any
    /// model is built.
    /// - Throws: ``PersistenceError``: `invalidConfig` naming the `config.json` field, `corruptFile`
    ///   naming the tensor whose shape disagrees with the configuration, and those of ``ModelDirectory/read(_:from:)``.
    public static func load(from path: String) throws -> ModelCheckpoint {
        // The vocabularies are decoded on a second thread while the weights are checked and decoded.
        let (contents, vocabularies) = try ModelDirectory.read(SavedModelConfiguration.self, from: path) { files in
            guard let userText = files["users.vocab"] else {
                throw PersistenceError.missingFile(directory: path, file: "users.vocab")
            }
            guard let itemText = files["items.vocab"] else {
                throw PersistenceError.missingFile(directory: path, file: "items.vocab")
            }
            return (try Vocabulary.decode([UInt8](userText), file: "\(path)/users.vocab"),
                    try Vocabulary.decode([UInt8](itemText), file: "\(path)/items.vocab"))
        }
        let (users, items) = vocabularies
        let c = contents.config
        try c.check(against: contents.weights, directory: path)
        guard users.count == c.userCount, items.count == c.itemCount else {
            throw PersistenceError.corruptFile(file: path, reason: "vocabularies hold \(users.count) users and \(items.count) items, config.json says \(c.userCount) and \(c.itemCount)")
        }
        let weights = contents.weights
        let offsets = try weights.int64Vector("train_items.offsets").map { Int($0) }
        let values = try weights.int32Vector("train_items.items")
        guard offsets.count == c.userCount + 1, offsets.first == 0, offsets.last == values.count,
              zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }),
              values.allSatisfy({ $0 >= 0 && Int($0) < c.itemCount }) else {
            throw PersistenceError.corruptFile(file: "\(path)/model.safetensors", reason: "train_items is not a valid per-user item list")
        }
        return ModelCheckpoint(configuration: c, users: users, items: items,
                               trainItemsByUser: IndexLists(offsets: offsets, values: values), weights: weights, path: path)
    }

    /// The model with the saved weights: scores are bit-identical to the saved model's.
    /// - Throws: ``PersistenceError`` when a tensor is missing or has the wrong shape.
    public func model() throws -> TwoTowerModel {
        func features(_ saved: [SavedModelConfiguration.Feature], _ owner: String, entities: Int) throws -> [EntityFeature] {
            try saved.map { f in
                if f.isNumeric {
                    let values = try weights.floatVector("feature.\(owner).\(f.name).values")
                    let missing = try weights.int32Vector("feature.\(owner).\(f.name).missing")
                    guard values.count == entities, missing.count == entities, values.allSatisfy(\.isFinite),
                          missing.allSatisfy({ $0 == 0 || $0 == 1 }) else {
                        throw PersistenceError.corruptFile(file: "\(path)/model.safetensors", reason: "numeric feature \(owner).\(f.name) needs \(entities) finite values and 0/1 missing flags")
                    }
                    return EntityFeature(name: f.name, vocabularySize: 0, values: .numeric(values: values, missing: missing.map { $0 == 1 }),
                                         normalization: f.normalization)
                }
                let offsets = try weights.int32Vector("feature.\(owner).\(f.name).offsets")
                let ids = try weights.int32Vector("feature.\(owner).\(f.name).ids")
                guard offsets.count == entities + 1, offsets.first == 0, Int(offsets.last!) == ids.count,
                      zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }),
                      ids.allSatisfy({ $0 >= 0 && Int($0) < f.vocabularySize }) else {
                    throw PersistenceError.corruptFile(file: "\(path)/model.safetensors", reason: "feature \(owner).\(f.name) is not a valid CSR table")
                }
                return EntityFeature(name: f.name, vocabularySize: f.vocabularySize, values: .multi(offsets: offsets, ids: ids))
            }
        }
        let c = configuration
        // The saved embedding tables go straight into the towers (no random draws, no second copy).
        var tables: [String: Matrix] = [:]
        for name in weights.tensors.keys where name.hasPrefix("user.") || name.hasPrefix("item.") {
            if !name.contains(".mlp."), let m = try? weights.matrix(name) { tables[name] = m }
        }
        let model = TwoTowerModel(configuration: c.model, userCount: c.userCount, itemCount: c.itemCount,
                                  userFeatures: try features(c.userFeatures, "user", entities: c.userCount),
                                  itemFeatures: try features(c.itemFeatures, "item", entities: c.itemCount),
                                  seed: 0, loadedTables: tables)
        for p in model.parameters {
            let value = try weights.matrix(p.name)
            guard value.rows == p.rows, value.columns == p.columns else {
                throw PersistenceError.corruptFile(file: "\(path)/model.safetensors",
                                                   reason: "tensor \(p.name) is \(value.rows)×\(value.columns), the configuration needs \(p.rows)×\(p.columns)")
            }
            p.value = value
        }
        return model
    }
}

/// `config.json`'s `config` object of a saved model.
public struct SavedModelConfiguration: Codable, Sendable, Equatable {
    /// A side feature's shape (its values are tensors).
    public struct Feature: Codable, Sendable, Equatable {
        public var name: String
        /// Rows of the embedding table; 0 for a numeric feature.
        public var vocabularySize: Int
        /// `"numeric"` for a numeric feature; absent for an embedded one (older models have none).
        public var kind: String? = nil
        /// A numeric feature's z-score (`mean`, `standardDeviation` of the training feature file).
        public var normalization: EntityFeature.Normalization? = nil

        public var isNumeric: Bool { kind == "numeric" }
    }

    public var model: ModelConfiguration
    public var training: TrainingConfiguration
    public var userCount: Int
    public var itemCount: Int
    public var userFeatures: [Feature]
    public var itemFeatures: [Feature]
    /// The data the model was trained on.
    public var dataName: String
    /// Whether the training split also held out a validation set (so `evaluate` can re-split alike).
    public var validationSplit: Bool
    /// How to rebuild the data (paths, options, split, file fingerprints); `nil` in models saved
    /// before it was recorded (decoded tolerantly: the key is optional).
    public var dataSource: DataSourceRecord? = nil
}
