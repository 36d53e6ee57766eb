import Foundation
import TowerCore
import TowerData
import TowerFormats
import TwoTower

/// One `twotower train`: load and split the data, build and train the model, evaluate it and the
/// baselines on the test data, save the model. The CLI is a thin shell around this.
public struct TrainingRun: Sendable {
    public var data = DataSource()
    public var model = ModelConfiguration()
    public var training = TrainingConfiguration()
    public var evaluation = EvaluationSettings()
    /// Hold out a validation set and report the watched metric after every epoch (implied by
    /// `training.patience`).
    public var validation = false
    /// Where to save the model directory (`nil`: not saved).
    public var output: String?
    /// GEMM / ranking threads (`nil`: by problem size).
    public var threads: Int?
    /// Refuse configurations whose ``MemoryEstimate`` exceeds this many bytes (default: physical memory).
    public var memoryLimit: Double = MemoryEstimate.physicalMemoryLimit

    public init() {}

    /// Checks the configuration before any work.
    public func validate() throws {
        try model.validate()
        try training.validate()
        try evaluation.validate()
        if validation || training.patience != nil {
            let parts = training.validationMetric.split(separator: "@")
            guard parts.count == 2, let k = Int(parts[1]), evaluation.ks.contains(k),
                  RankingMetric(rawValue: String(parts[0])) != nil else {
                throw ConfigurationError("{validationMetric} \"\(training.validationMetric)\": expected METRIC@K with METRIC one of \(RankingMetric.allCases.map(\.rawValue).joined(separator: ", ")) and K among {ks} \(evaluation.ks.map(String.init).joined(separator: ","))")
            }
        }
    }

    /// Runs everything; `log` receives human-readable lines (data summary, notes).
    public func run(progress: (any TrainingObserver)? = nil, log: (String) -> Void = { _ in }) throws -> RunReport {
        try validate()
        let wantsValidation = validation || training.patience != nil
        let prepared = try data.prepare(seed: training.seed, validation: wantsValidation)
        guard prepared.split.test.count > 0 else {
            throw ConfigurationError("\(prepared.name): nothing held out to evaluate on (a user needs at least 2 interactions to have one held out, 3 with a validation set; or give --test)")
        }
        if wantsValidation, (prepared.split.validation?.count ?? 0) == 0 {
            throw ConfigurationError("\(prepared.name): the validation set is empty (users need at least 3 interactions); use --no-early-stopping")
        }
        let statistics = DatasetStatistics(prepared.split.train)
        log("data: \(prepared.name)")
        log("train: \(statistics.users) users, \(statistics.items) items, \(statistics.interactions) interactions; test: \(prepared.split.test.count) held-out interactions")
        for note in prepared.notes { log("note: \(note)") }

        try evaluation.validate(itemCount: prepared.itemCount)
        try training.validateMemory(model: self.model, userCount: prepared.userCount, itemCount: prepared.itemCount,
                                    trainingRows: prepared.split.train.count, limit: memoryLimit)
        var userFeatures = prepared.userFeatures
        if let n = self.model.userHistory {
            let train = prepared.split.train
            userFeatures.append(.history(users: train.users, items: train.items, timestamps: train.timestamps,
                                         userCount: prepared.userCount, itemCount: prepared.itemCount, count: n))
        }
        let model = TwoTowerModel(configuration: self.model, userCount: prepared.userCount, itemCount: prepared.itemCount,
                                  userFeatures: userFeatures, itemFeatures: prepared.itemFeatures,
                                  seed: training.seed)
        log(summary(wantsValidation: wantsValidation))
        for (tower, label) in [(model.queryTower, "query"), (model.itemTower, "item")] where !tower.featureNames.isEmpty {
            log("\(label) tower features: \(tower.featureNames.joined(separator: ", "))")
        }
        let counts = prepared.split.trainItemCounts
        let trainer = try Trainer(model: model, configuration: training, itemCounts: counts, threads: threads)
        var validate: ((Int) throws -> Double)? = nil
        if wantsValidation {
            guard let heldOut = ModelEvaluation.HeldOut.validation(prepared.split) else {
                throw ConfigurationError("validation / --patience: this split has no validation set (use leave-last-out, leave-one-out or ratio splits)")
            }
            let metric = training.validationMetric
            let settings = evaluation
            validate = { _ in
                let result = try ModelEvaluation.evaluate(model, on: heldOut, settings: settings)
                return result.dictionary[metric] ?? 0
            }
        }
        let summary = try trainer.fit(prepared.split.train, observer: progress, validate: validate)

        let heldOut = ModelEvaluation.HeldOut.test(prepared.split)
        var settings = evaluation
        settings.threads = threads
        let metrics = try ModelEvaluation.evaluate(model, on: heldOut, settings: settings)
        let baselines = try ModelEvaluation.baselines(on: heldOut, truth: prepared.truth, settings: settings)
        if let output {
            var saved = prepared
            saved.userFeatures = userFeatures
            try ModelCheckpoint.save(model, training: training, data: saved, validationSplit: wantsValidation, to: output)
            log("saved the model to \(output)")
        }
        return RunReport(dataName: prepared.name, statistics: statistics, evaluated: metrics.evaluated, metrics: metrics,
                         baselines: baselines, training: summary, notes: prepared.notes)
    }

    /// One line naming the model and the training set-up, printed before training.
    func summary(wantsValidation: Bool) -> String {
        let tower = model.tower == .mf ? "mf" : "mlp \(model.hiddenLayers.map(String.init).joined(separator: ","))"
        let t = training
        var parts = ["model: \(tower) → d=\(model.dimensions)\(model.l2Normalize ? ", L2-normalised" : "")",
                     "negatives: \(t.samplers.map(\.description).joined(separator: " + "))",
                     "logQ: \(t.logQ.rawValue)", "loss: \(t.loss.rawValue), T=\(t.temperature)",
                     "\(t.optimizer.rawValue) lr \(t.learningRate), batch \(t.batchSize)"]
        parts.append(wantsValidation ? "≤ \(t.epochs) epochs, early stopping on \(t.validationMetric)" : "\(t.epochs) epochs")
        return parts.joined(separator: "; ")
    }
}
