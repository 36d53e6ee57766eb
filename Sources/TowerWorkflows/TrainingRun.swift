import Foundation
import TowerCore
import TowerData
import TowerDistributed
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
    /// The data-parallel group (default: this process alone). Every rank runs the same
    /// `TrainingRun`; only rank 0 logs, reports progress and saves.
    public var communicator: any Communicator = SingleProcessCommunicator()
    /// In-batch candidates of the global batch or of each rank's slice (see ``NegativeScope``).
    public var negativeScope: NegativeScope = .global
    /// Stops training early when requested (Ctrl-C): the run then evaluates and saves the
    /// parameters it keeps (see ``Trainer/fit(_:observer:validate:stop:)``); the report says
    /// `training.interrupted`.
    public var stop: StopRequest?
    /// After early stopping, train a fresh model for the best epoch's count on train +
    /// validation and keep that one (``refitOnTrainingPart(_:after:userFeatures:observer:)``);
    /// `false` keeps the early-stopped model (`--no-refit`). Only with early stopping
    /// (`training.patience`): `validation` alone only reports the metric.
    public var refit = true
    /// Continue the run whose ``output`` directory this is, from its last completed epoch
    /// (``ResumeCheckpoint``); the settings must be the saved run's (`epochs` may be raised).
    /// With an ``output``, a resumable checkpoint is written there as ``checkpointEvery`` says.
    public var resume: String?
    /// The command line that started the run, kept in the checkpoint for `train --resume`.
    public var arguments: [String] = []
    /// When the resumable checkpoint reaches the ``output`` directory during training
    /// (``CheckpointSchedule``; ``CheckpointSchedule/never``: no checkpoint at all).
    public var checkpointEvery = CheckpointSchedule.standard

    public init() {}

    /// Checks the configuration before any work.
    public func validate() throws {
        try model.validate()
        try training.validate()
        if training.loss == .ccl, !model.l2Normalize {
            throw ConfigurationError("{l2Normalize} must be on with {loss} ccl (it needs cosine scores)")
        }
        let rowsPerScoredBatch = negativeScope == .local ? training.batchSize / communicator.size : training.batchSize
        if training.samplers == [.inBatch], rowsPerScoredBatch < 2 {
            throw ConfigurationError("{batchSize} \(training.batchSize) with in-batch negatives alone leaves every row without a negative (\(negativeScope == .local && communicator.size > 1 ? "--negatives local: \(rowsPerScoredBatch) row per rank" : "one row per batch")): the loss is 0 and nothing is learned; use a larger batch or add a corpus sampler (uniform:N)")
        }
        if training.batchSize < communicator.size {
            throw ConfigurationError("{batchSize} \(training.batchSize) is smaller than the \(communicator.size) ranks: every rank needs at least one row of each batch")
        }
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
    public func run(progress: (any TrainingObserver)? = nil, log emit: (String) -> Void = { _ in }) throws -> RunReport {
        try validate()
        let leads = communicator.rank == 0
        if leads, let output { try AtomicFile.checkWritableDestination(output, what: "--output") }
        let progress = leads ? progress : nil
        func log(_ line: String) { if leads { emit(line) } }
        let wantsValidation = validation || training.patience != nil
        let prepared = try data.prepare(seed: training.seed, validation: wantsValidation)
        try checkSameData(prepared)
        guard prepared.split.test.count > 0 else {
            // A given test file whose ids are all unknown, and splits that hold nothing out, are reported by `prepare`.
            if let test = data.testPath {
                let filter = data.minimumRating.map { " rated at least \($0)" } ?? ""
                throw ConfigurationError("{testPath} \(test): no test interaction\(filter) left to evaluate on")
            }
            throw ConfigurationError("\(prepared.name): nothing held out to evaluate on (a user needs at least 2 interactions to have one held out, 3 with a validation set)")
        }
        if wantsValidation, (prepared.split.validation?.count ?? 0) == 0 {
            throw ConfigurationError("\(prepared.name): the validation set is empty (a user needs at least 2 training interactions to have one held out for validation); use --no-early-stopping")
        }
        let statistics = DatasetStatistics(prepared.split.train)
        log("data: \(prepared.name)")
        log("train: \(statistics.users) users, \(statistics.items) items, \(statistics.interactions) interactions; test: \(prepared.split.test.count) held-out interactions")
        for note in prepared.notes { log("note: \(note)") }
        if training.batchSize > prepared.split.train.count {
            log("note: the batch size \(training.batchSize) exceeds the \(prepared.split.train.count) training interactions: every step takes all of them (one batch per epoch)")
        }

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
        let trainer = try Trainer(model: model, configuration: training, itemCounts: counts, threads: threads,
                                  communicator: communicator, negativeScope: negativeScope)
        if communicator.size > 1 {
            log("data-parallel: \(communicator.size) ranks, \(negativeScope.rawValue) in-batch negatives, global batch \(training.batchSize)")
        }
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
        // Every step's loss and time, for the run record's history (rank 0 alone keeps it).
        let recorder = leads ? TrainingHistoryRecorder() : nil
        let observers = [progress, recorder].compactMap { $0 as (any TrainingObserver)? }
        let resumed = try resume.map { try restore(from: $0, trainer: trainer, recorder: recorder) }
        if let resumed { log("resuming \(resume!) after epoch \(resumed.fit.progress.epochs) of \(training.epochs)") }
        var saved = prepared
        saved.userFeatures = userFeatures
        let checkpoints = output != nil && checkpointEvery != .never
            ? try CheckpointWriter(run: self, trainer: trainer, data: saved, recorder: recorder, last: resumed?.bytes) : nil
        let summary = try trainer.fit(prepared.split.train, observer: observers.isEmpty ? nil : ObserverGroup(observers),
                                      validate: validate, stop: stop, resume: resumed?.fit, checkpoint: checkpoints?.write)
        if let checkpoints, checkpoints.seconds > 0 {
            log(String(format: "checkpoints (--checkpoint-every %@): %d written to %@, %.3fs in all (%.2f%% of the %.1fs of training)%@",
                       checkpointEvery.description, checkpoints.writes, output!, checkpoints.seconds,
                       100 * checkpoints.seconds / max(summary.seconds, 1e-9), summary.seconds,
                       checkpoints.writes > 0 ? String(format: ", resume.safetensors %.1f MB", Double(checkpoints.bytes) / 1e6) : ""))
        }
        // The refit is not checkpointed: it is deterministic given the first pass (a fresh model
        // from the seed), so a run resumed after early stopping redoes it and gets the same model.
        var kept = model, refitted: RefitSummary? = nil
        if refit, training.patience != nil,
           let second = try refitOnTrainingPart(prepared, after: summary, userFeatures: prepared.userFeatures, observer: progress) {
            (kept, refitted) = (second.model, second.summary)
            saved.userFeatures = second.userFeatures
        }

        let heldOut = ModelEvaluation.HeldOut.test(prepared.split)
        var settings = evaluation
        settings.threads = threads
        let metrics = try ModelEvaluation.evaluate(kept, on: heldOut, settings: settings)
        let baselines = try ModelEvaluation.baselines(on: heldOut, truth: prepared.truth, settings: settings)
        var report = RunReport(dataName: prepared.name, statistics: statistics, evaluated: metrics.evaluated, metrics: metrics,
                               baselines: baselines, training: summary, notes: prepared.notes)
        report.validationMetric = wantsValidation ? training.validationMetric : nil
        report.refit = refitted
        report.refitInterrupted = refitted == nil && refit && training.patience != nil && !summary.interrupted && stop?.isRequested == true
        report.details = dataDetails(prepared, statistics: statistics)
        report.history = recorder?.history()
        report.popularity = Self.popularityRecord(prepared.split, model: metrics, baselines: baselines)
        report.configuration = configurationEntries()
        report.machine = machineRecord()
        if let output, leads {
            // The run record (the `--metrics-out` JSON) goes with the model, for `twotower report --run`,
            // and the last epoch's resumable checkpoint.
            var extra = [RunRecord.fileName: try report.json()]
            extra[ResumeCheckpoint.fileName] = try checkpoints?.latest()
            try ModelCheckpoint.save(kept, training: training, data: saved, validationSplit: wantsValidation,
                                     extraFiles: extra, to: output)
            log("saved the model to \(output)")
        }
        return report
    }

    /// Every rank must train on the same data: compares the ranks' data sizes and a hash of the
    /// training rows, and fails on every rank (naming the first that differs) if they disagree.
    func checkSameData(_ prepared: PreparedData) throws {
        guard communicator.size > 1 else { return }
        try checkSameConfiguration()
        let train = prepared.split.train
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a over the rows
        for (u, i) in zip(train.users, train.items) {
            hash = (hash ^ UInt64(UInt32(bitPattern: u))) &* 0x100_0000_01b3
            hash = (hash ^ UInt64(UInt32(bitPattern: i))) &* 0x100_0000_01b3
        }
        let mine: [Int64] = [Int64(prepared.userCount), Int64(prepared.itemCount), Int64(train.count),
                             Int64(prepared.split.test.count), Int64(bitPattern: hash)]
        let all: [Int64]
        do { all = try communicator.allGather(mine) } catch { throw ConfigurationError("data-parallel start: \(error)") }
        for rank in 1..<communicator.size where Array(all[rank * mine.count ..< (rank + 1) * mine.count]) != Array(all[0..<mine.count]) {
            throw ConfigurationError("rank \(rank) read different data than rank 0 (users, items, train and test rows, hash: \(all[rank * mine.count ..< (rank + 1) * mine.count].map(String.init)) vs \(all[0..<mine.count].map(String.init))); every rank needs the same files and flags")
        }
    }

    /// Every rank must train with the same settings (a rank with other `--epochs` would wait for
    /// the others forever; one with another learning rate would silently train a different
    /// model): compares every rank's model, training and evaluation settings with rank 0's and
    /// fails on every rank, naming the settings that differ.
    func checkSameConfiguration() throws {
        struct Settings: Encodable {
            var model: ModelConfiguration, training: TrainingConfiguration, evaluation: EvaluationSettings
            var negatives: String, validation: Bool, data: String
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let mine = try [UInt8](encoder.encode(Settings(model: model, training: training, evaluation: evaluation,
                                                      negatives: negativeScope.rawValue, validation: validation,
                                                      data: data.path ?? "")))
        let all: (values: [UInt8], counts: [Int])
        do { all = try communicator.allGatherV(mine) } catch { throw ConfigurationError("data-parallel start: \(error)") }
        var offset = 0
        var blocks: [[UInt8]] = []
        for n in all.counts { blocks.append(Array(all.values[offset ..< offset + n])); offset += n }
        for rank in 1..<blocks.count where blocks[rank] != blocks[0] {
            throw ConfigurationError("rank \(rank) was started with other settings than rank 0 (\(Self.differences(blocks[0], blocks[rank]))); every rank needs the same flags")
        }
    }

    /// The dotted names of the settings that differ between two JSON objects.
    static func differences(_ a: [UInt8], _ b: [UInt8]) -> String {
        let keys = differingSettings(Data(a), Data(b))
        return keys.isEmpty ? "settings differ" : keys.prefix(6).map { "\($0.name): \($0.a ?? "unset") vs \($0.b ?? "unset")" }.joined(separator: "; ")
    }

    /// The leaves that differ between two JSON objects, by dotted name, sorted: each with its
    /// value in `a` and in `b` (`nil`: absent there).
    static func differingSettings(_ a: Data, _ b: Data) -> [(name: String, a: String?, b: String?)] {
        func flatten(_ value: Any, _ prefix: String, into out: inout [String: String]) {
            if let object = value as? [String: Any] {
                for (k, v) in object { flatten(v, prefix.isEmpty ? k : prefix + "." + k, into: &out) }
            } else {
                out[prefix] = "\(value)"
            }
        }
        var x: [String: String] = [:], y: [String: String] = [:]
        if let va = try? JSONSerialization.jsonObject(with: a) { flatten(va, "", into: &x) }
        if let vb = try? JSONSerialization.jsonObject(with: b) { flatten(vb, "", into: &y) }
        return Set(x.keys).union(y.keys).filter { x[$0] != y[$0] }.sorted().map { ($0, x[$0], y[$0]) }
    }

    /// One line naming the model and the training set-up, printed before training.
    func summary(wantsValidation: Bool) -> String {
        let tower = model.tower == .mf ? "mf" : "mlp \(model.hiddenLayers.map(String.init).joined(separator: ","))"
        let t = training
        var parts = ["model: \(tower) → d=\(model.dimensions)\(model.l2Normalize ? ", L2-normalised" : "")",
                     "negatives: \(t.samplers.map(\.description).joined(separator: " + "))",
                     "logQ: \(t.logQ.rawValue)", "loss: \(t.loss.rawValue)\(t.loss == .ccl ? " (m=\(t.cclParameters.margin), w=\(t.cclParameters.negativeWeight))" : "") \(t.reduction.rawValue), T=\(t.temperature)",
                     "\(t.optimizer.rawValue) lr \(t.learningRate), batch \(t.batchSize)"
                        + (t.weightDecay > 0 ? ", weight decay \(t.weightDecay)" : "")
                        + (t.resolvedEmbeddingL2 > 0 ? ", embedding L2 \(t.resolvedEmbeddingL2)" : "")
                        + ((t.learningRateDecay ?? .none) != .none ? ", \(t.learningRateDecay!.rawValue) decay" : "")
                        + (t.warmupSteps > 0 ? ", \(t.warmupSteps) warm-up steps" : "")]
        let epochs = "\(t.epochs) epoch\(t.epochs == 1 ? "" : "s")"
        parts.append(wantsValidation ? "≤ \(epochs), early stopping on \(t.validationMetric)" : epochs)
        return parts.joined(separator: "; ")
    }
}
