import TowerData

/// A two-tower model trained in memory, with what saving it and recommending from it need: the
/// towers, the id vocabularies, each user's training items and what training did.
///
/// The library's short path from (user, item) pairs to top-k, with `import TwoTower` alone:
/// ```swift
/// let trained = try TrainedModel.train(pairs: [("ann", "alien"), ("ann", "heat"), ("bob", "alien")])
/// try trained.save(to: "model")                       // what `twotower recommend --model` and `serve` read
/// let top = try Recommender(trained).recommend(user: "ann", k: 10)  // seen items left out
/// ```
///
/// Training here runs ``TrainingConfiguration/epochs`` epochs over every interaction given, like
/// Keras' `model.fit(train, epochs=…)` in Merlin Models and TFRS: no data is held out, so there
/// is no early stopping (``TrainingConfiguration/patience`` is not used and is saved as `nil`).
/// What `twotower train` adds — a held-out test set, early stopping on a validation set, the refit
/// on train + validation and the baselines — is `TrainingRun` in the TowerWorkflows module (which
/// reads files); to hold data out yourself, split the log (`DatasetSplit`) and train on its
/// `train` part.
public struct TrainedModel {
    /// The trained towers (a class: training on it later changes this value, not ``checkpoint``).
    public let model: TwoTowerModel
    /// The model with its vocabularies and training items, in memory: what ``save(to:)`` writes.
    public let checkpoint: ModelCheckpoint
    /// Epochs, time, losses.
    public let summary: TrainingSummary

    /// Trains a fresh model on `pairs` of raw (user, item) ids (`InteractionLog/init(pairs:)`).
    /// - Throws: `DataError` for an empty id or one with a control character (naming the pair),
    ///   and the errors of ``train(_:model:training:threads:observer:dataName:)``.
    public static func train(pairs: some Sequence<(String, String)>, model: ModelConfiguration = ModelConfiguration(),
                             training: TrainingConfiguration = TrainingConfiguration(), threads: Int? = nil,
                             observer: (any TrainingObserver)? = nil) throws -> TrainedModel {
        let log = try InteractionLog(pairs: pairs)
        return try train(log, model: model, training: training, threads: threads, observer: observer,
                         dataName: "in-memory pairs (\(log.count) interactions)")
    }

    /// Trains a fresh model, seeded by `training.seed`, on every interaction of `log` for
    /// `training.epochs` epochs. Users and items are renumbered by decreasing frequency first (what
    /// the popularity sampler assumes; ids are kept). The log's side features (e.g. MovieLens
    /// genres from `MovieLensReader`) reach MLP towers; ``ModelConfiguration/userHistory`` builds
    /// each user's recent-items bag from the log.
    /// - Parameters:
    ///   - threads: GEMM threads (`nil`: by problem size).
    ///   - observer: told about every step and epoch (a progress line, a TensorBoard writer).
    ///   - dataName: a one-line name of the data, saved with the model (default: "in-memory log (N interactions)").
    /// - Throws: ``ConfigurationError`` naming the field of `model` or `training` that is out of
    ///   range, or a set-up that cannot learn (in-batch negatives alone with one row per batch);
    ///   ``TrainingError`` for an empty log or a loss that became non-finite.
    public static func train(_ log: InteractionLog, model configuration: ModelConfiguration = ModelConfiguration(),
                             training: TrainingConfiguration = TrainingConfiguration(), threads: Int? = nil,
                             observer: (any TrainingObserver)? = nil, dataName: String? = nil) throws -> TrainedModel {
        try configuration.validate()
        try training.validate()
        guard log.count > 0 else { throw TrainingError.emptyTrainingData }
        if training.samplers == [.inBatch], min(training.batchSize, log.count) < 2 {
            throw ConfigurationError("{batchSize} \(training.batchSize) with in-batch negatives alone over \(log.count) interaction\(log.count == 1 ? "" : "s") leaves every row without a negative: nothing is learned; use a larger batch, more data or add a corpus sampler (uniform:N)")
        }
        let data = log.compacted().orderedByFrequency()
        try training.validateMemory(model: configuration, userCount: data.userCount, itemCount: data.itemCount,
                                    trainingRows: data.count)
        func features(_ tables: [FeatureTable]) -> [EntityFeature] {
            tables.compactMap { t in
                guard t.vocabulary.count > 0, !t.values.isEmpty else { return nil }
                return EntityFeature(name: t.name, vocabularySize: t.vocabulary.count, values: .multi(offsets: t.offsets, ids: t.values))
            }
        }
        var userFeatures = features(data.userFeatures)
        let itemFeatures = features(data.itemFeatures)
        if let n = configuration.userHistory {
            userFeatures.append(.history(users: data.users, items: data.items, timestamps: data.timestamps,
                                         userCount: data.userCount, itemCount: data.itemCount, count: n))
        }
        let model = TwoTowerModel(configuration: configuration, userCount: data.userCount, itemCount: data.itemCount,
                                  userFeatures: userFeatures, itemFeatures: itemFeatures, seed: training.seed)
        let trainer = try Trainer(model: model, configuration: training, itemCounts: data.rowCounts().items, threads: threads)
        let summary = try trainer.fit(data, observer: observer)
        var recorded = training
        recorded.patience = nil  // nothing was held out: no early stopping ran
        let checkpoint = ModelCheckpoint(model, training: recorded, userVocabulary: data.userVocabulary,
                                         itemVocabulary: data.itemVocabulary, trainItemsByUser: UserItemLists(data),
                                         userFeatures: userFeatures, itemFeatures: itemFeatures,
                                         dataName: dataName ?? "in-memory log (\(data.count) interactions)")
        return TrainedModel(model: model, checkpoint: checkpoint, summary: summary)
    }

    /// Saves the model to the directory `path`, atomically (``ModelCheckpoint/save(to:extraFiles:)``):
    /// `Recommender(modelDirectory:)`, `twotower recommend --model`, `evaluate --model --data` and
    /// `serve --model` load it. It records no data source (it came from memory), so `evaluate`
    /// needs `--data`.
    /// - Throws: the I/O and `PersistenceError`s of `ModelDirectory`.
    public func save(to path: String) throws {
        try checkpoint.save(to: path)
    }
}
