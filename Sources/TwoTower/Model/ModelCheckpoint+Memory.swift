import Foundation
import TowerData
import TowerFormats

extension ModelCheckpoint {
    /// What ``ModelCheckpoint/path`` says for a checkpoint made in memory and not read from a directory.
    public static let inMemoryPath = "(in memory)"

    /// `model` as a checkpoint in memory, without touching a file: exactly what
    /// ``save(to:extraFiles:)`` writes and ``load(from:)`` reads back — the configuration, every
    /// parameter by name, the side features as CSR tensors (numeric ones as their normalised values and missing flags), each user's training items and the
    /// vocabularies. ``model()`` rebuilds a model with bit-identical scores.
    ///
    /// A snapshot: the parameters' values now (the arrays are shared copy-on-write, so this costs
    /// no copy until the model trains on).
    /// - Parameters:
    ///   - userVocabulary: raw ids of the query-tower rows, `model.userCount` of them.
    ///   - itemVocabulary: raw ids of the item-tower rows, `model.itemCount` of them.
    ///   - lists: each user's training items (excluded from that user's recommendations).
    ///   - userFeatures: the side features the query tower reads (rows aligned to the users).
    ///   - itemFeatures: the side features the item tower reads (rows aligned to the items).
    ///   - dataName: a one-line name of the training data, shown by `twotower serve` and `evaluate`.
    ///   - validationSplit: the training split held out a validation set (so `evaluate` re-splits alike).
    ///   - dataSource: how to rebuild the data from files, when it came from files.
    ///   - path: what ``path`` reports (``inMemoryPath`` unless given).
    public init(_ model: TwoTowerModel, training: TrainingConfiguration,
                userVocabulary: Vocabulary, itemVocabulary: Vocabulary,
                trainItemsByUser lists: UserItemLists,
                userFeatures: [EntityFeature] = [], itemFeatures: [EntityFeature] = [],
                dataName: String, validationSplit: Bool = false,
                dataSource: DataSourceRecord? = nil, path: String = ModelCheckpoint.inMemoryPath) {
        precondition(userVocabulary.count == model.userCount && itemVocabulary.count == model.itemCount && lists.users == model.userCount,
                     "ModelCheckpoint: vocabularies of \(userVocabulary.count) users and \(itemVocabulary.count) items and lists of \(lists.users) users for a model of \(model.userCount) users and \(model.itemCount) items")
        var tensors: [String: StoredTensor] = [:]
        for p in model.parameters { tensors[p.name] = StoredTensor(p.value) }
        func store(_ features: [EntityFeature], _ owner: String) -> [SavedModelConfiguration.Feature] {
            features.map { f in
                if case .numeric(let values, let missing) = f.values {
                    tensors["feature.\(owner).\(f.name).values"] = StoredTensor(values)
                    tensors["feature.\(owner).\(f.name).missing"] = StoredTensor(missing.map { $0 ? Int32(1) : 0 })
                    return .init(name: f.name, vocabularySize: 0, kind: "numeric", normalization: f.normalization)
                } else if case .multi(let offsets, let ids) = f.values {
                    tensors["feature.\(owner).\(f.name).offsets"] = StoredTensor(offsets)
                    tensors["feature.\(owner).\(f.name).ids"] = StoredTensor(ids)
                } else if case .single(let ids) = f.values {
                    tensors["feature.\(owner).\(f.name).offsets"] = StoredTensor((0...Int32(ids.count)).map { $0 })
                    tensors["feature.\(owner).\(f.name).ids"] = StoredTensor(ids)
                }
                return .init(name: f.name, vocabularySize: f.vocabularySize)
            }
        }
        let config = SavedModelConfiguration(
            model: model.configuration, training: training, userCount: model.userCount, itemCount: model.itemCount,
            userFeatures: store(userFeatures, "user"), itemFeatures: store(itemFeatures, "item"),
            dataName: dataName, validationSplit: validationSplit, dataSource: dataSource)
        tensors["train_items.offsets"] = StoredTensor(lists.offsets.map { Int64($0) })
        tensors["train_items.items"] = StoredTensor(lists.items)
        self.init(configuration: config, users: userVocabulary, items: itemVocabulary,
                  trainItemsByUser: IndexLists(offsets: lists.offsets, values: lists.items),
                  weights: SafeTensors(tensors: tensors, metadata: [:], source: path), path: path)
    }

    /// Writes this checkpoint to the model directory `path`, atomically (`ModelDirectory`):
    /// `config.json`, `model.safetensors`, `users.vocab`, `items.vocab` and `extraFiles` beside
    /// them, checksummed in the manifest. Other files already in the directory are kept.
    /// - Throws: `DataError` for an id that cannot be saved (a control character), and the
    ///   `PersistenceError` and I/O errors of `ModelDirectory/write(to:config:tensors:metadata:extraFiles:)`.
    public func save(to path: String, extraFiles: [String: Data] = [:]) throws {
        var extra = extraFiles
        extra["users.vocab"] = Data(try users.encoded())
        extra["items.vocab"] = Data(try items.encoded())
        try ModelDirectory.write(to: path, config: configuration, tensors: weights.tensors,
                                 metadata: ["twotower.kind": "two-tower-model"], extraFiles: extra)
    }
}
