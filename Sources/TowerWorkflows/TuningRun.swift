import Foundation
import TowerCore
import TowerData
import TwoTower

/// One `twotower tune`: a hyperparameter search by asynchronous successive halving
/// (``SuccessiveHalving``, epochs as the resource) over a ``SearchSpace``, on a validation set
/// carved from the training part (``TuningData``: the search never sees the test part), then —
/// as Keras Tuner's guide does — the winner retrained with its best number of epochs on the whole
/// training part (train + validation, no early stopping) and evaluated on the test part once.
///
/// Every trial trains a configuration from scratch with the same seed (common random numbers:
/// trials differ only in their hyperparameters) for at most its rung's epochs, scored by the
/// best validation metric over its epochs, with early stopping (`training.patience`) inside the
/// trial. A promoted configuration is retrained from scratch for the larger budget rather than
/// resumed — about 30% more work than resuming at η = 3, and every trial is a plain
/// `twotower train` run that `--config` reproduces.
///
/// Reproducible: with `trials` alone the same seed gives the same trials, scores and leaderboard.
/// A time budget stops the same sequence of trials wherever the clock says (the trial running
/// when it ends is dropped at its next epoch end), so its leaderboard is a prefix of that sequence.
public struct TuningRun: Sendable {
    public var data = DataSource()
    /// The settings the space does not search (tower kind, batch size, optimizer, temperature
    /// order, ...); every trial starts from them. `training.seed` seeds everything;
    /// `training.patience` is early stopping inside a trial.
    public var model = ModelConfiguration()
    public var training = TrainingConfiguration()
    public var space = SearchSpace()
    /// The final test evaluation (cut-offs, protocol). Trials rank by ``metric`` only.
    public var evaluation = EvaluationSettings()
    /// The validation metric, `METRIC@K`.
    public var metric = "recall@20"
    /// Configurations to draw (each starts on rung 0; promotions train them again). `nil`: as
    /// many as the time budget allows.
    public var trials: Int?
    /// Seconds the search may take (`nil`: no limit; the final run is not counted).
    public var timeBudget: Double?
    public var minEpochs = 1
    public var maxEpochs = 27
    /// η of successive halving.
    public var reductionFactor = 3
    /// Skip configurations whose id embedding tables hold more than this many floats
    /// (`(users + items) × dim`; `nil`: only the memory limit applies).
    public var maxParameters: Int?
    /// GEMM / ranking threads (`nil`: by problem size).
    public var threads: Int?
    /// Skip configurations whose ``MemoryEstimate`` exceeds this many bytes.
    public var memoryLimit: Double = MemoryEstimate.physicalMemoryLimit
    /// Retrain the winner on the whole training part and evaluate it on the test part.
    public var evaluateWinner = true
    /// Seconds on a monotonic clock (tests may replace it).
    public var clock: @Sendable () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    public init() {}

    /// Why the search stopped.
    public enum Stop: String, Sendable, Equatable {
        case timeBudget = "time budget used"
        case trials = "all configurations tried"
        case spaceExhausted = "search space exhausted"
    }

    /// What the search found: every trial in order, the leaderboard (best first), the
    /// successive-halving state.
    public struct Search: Sendable {
        public var trials: [TrialResult]
        public var leaderboard: [LeaderboardEntry]
        public var halving: SuccessiveHalving
        public var stop: Stop
        public var seconds: Double
        /// Configurations drawn that the memory limit or `maxParameters` excluded.
        public var skipped: Int
        /// The best configuration, when some trial succeeded.
        public var winner: LeaderboardEntry? { leaderboard.first.flatMap { $0.best.score.isFinite ? $0 : nil } }
    }

    /// A search and the winner's test run.
    public struct Report: Sendable {
        public var search: Search
        /// The validation set the trials were scored on.
        public var validationInteractions: Int
        public var trainInteractions: Int
        /// The winner retrained on the whole training part and evaluated on the test part.
        public var final: RunReport?
        /// The data's name (``TuningData/name``).
        public var dataName = ""
    }

    /// Checks the settings before any work.
    /// - Throws: ``ConfigurationError`` naming the field (`{trials}`, `{timeBudget}`, `{metric}`, ...).
    public func validate() throws {
        guard trials != nil || timeBudget != nil else {
            throw ConfigurationError("tuning needs a budget: {timeBudget} (e.g. 30m) and/or {trials} N")
        }
        if let t = trials, t < 1 { throw ConfigurationError("{trials} must be at least 1, found \(t)") }
        if let t = timeBudget, !(t > 0) { throw ConfigurationError("{timeBudget} must be positive") }
        if let p = maxParameters, p < 1 { throw ConfigurationError("{maxParameters} must be positive, found \(p)") }
        _ = try SuccessiveHalving(minEpochs: minEpochs, maxEpochs: maxEpochs, reductionFactor: reductionFactor)
        _ = try metricCutoff()
        try space.validate()
        try evaluation.validate()
        try model.validate()
    }

    /// The `K` of ``metric``.
    func metricCutoff() throws -> Int {
        let parts = metric.split(separator: "@")
        guard parts.count == 2, let k = Int(parts[1]), k > 0, RankingMetric(rawValue: String(parts[0])) != nil else {
            throw ConfigurationError("{metric} \"\(metric)\": expected METRIC@K with METRIC one of \(RankingMetric.allCases.map(\.rawValue).joined(separator: ", ")) and K a positive integer")
        }
        return k
    }

    /// Loads the data, searches, retrains and evaluates the winner. `log` receives progress lines
    /// (data summary, one line as each trial starts and ends with the time left, the final run's
    /// notes); `detail` the trainer's per-epoch lines.
    public func run(log: (String) -> Void = { _ in }, detail: ((String) -> Void)? = nil) throws -> Report {
        try validate()
        let prepared = try data.prepare(seed: training.seed, validation: false)
        for note in prepared.notes { log("note: \(note)") }
        let tuning = try TuningData(prepared, strategy: data.split, seed: training.seed)
        log("tuning on \(tuning.name): \(tuning.train.count) training and \(tuning.validationCount) validation interactions (carved from the training part; the test part is not used until the winner is chosen)")
        let search = try self.search(on: tuning, log: log, detail: detail)
        var final: RunReport?
        if evaluateWinner, let winner = search.winner {
            var run = TrainingRun()
            run.data = data
            run.model = winner.model
            run.training = winner.training
            run.evaluation = evaluation
            run.threads = threads
            run.memoryLimit = memoryLimit
            log("final: retraining configuration #\(winner.configuration + 1) for \(winner.training.epochs) epoch\(winner.training.epochs == 1 ? "" : "s") on the whole training part (train + validation), then the test set once")
            final = try run.run(log: { log("final: \($0)") })
        }
        return Report(search: search, validationInteractions: tuning.validationCount,
                      trainInteractions: tuning.train.count, final: final, dataName: tuning.name)
    }

    /// The search alone, on data that holds no test part.
    public func search(on data: TuningData, log: (String) -> Void = { _ in }, detail: ((String) -> Void)? = nil) throws -> Search {
        try validate()
        var halving = try SuccessiveHalving(minEpochs: minEpochs, maxEpochs: maxEpochs, reductionFactor: reductionFactor)
        let k = try metricCutoff()
        var settings = evaluation
        settings.ks = [k]
        settings.threads = threads
        var generator = Xoshiro256(seed: training.seed ^ 0x7475_6E65_7365_6172)
        var configurations: [(model: ModelConfiguration, training: TrainingConfiguration)] = []
        var seen: Set<String> = []
        var exhausted = false, skipped = 0
        var results: [TrialResult] = []
        let start = clock()
        let deadline = timeBudget.map { start + $0 }
        var best = -Double.infinity
        let rungs = halving.rungEpochs.map(String.init).joined(separator: ", ")
        log("search: successive halving, rungs of \(rungs) epoch\(halving.rungEpochs == [1] ? "" : "s"), η = \(reductionFactor), \(trials.map { "\($0) configurations" } ?? "configurations until the budget ends")\(timeBudget.map { ", time budget \(TimeBudget.format($0))" } ?? ""), ranked by validation \(metric)")

        /// A new configuration: drawn until it is one not seen before that passes the checks.
        func draw() throws -> Int? {
            for attempt in 0..<1000 {
                // The first configuration is the base itself — what `twotower train` runs with the
                // same flags — so the search never ends below the defaults on validation.
                var candidate = configurations.isEmpty && attempt == 0 && seen.isEmpty
                    ? (model: model, training: training) : space.sample(base: (model, training), using: &generator)
                candidate.training.validationMetric = metric
                let key = SearchSpace.describe(model: candidate.model, training: candidate.training)
                guard seen.insert(key).inserted else { continue }
                var check = TrainingRun()
                check.model = candidate.model
                check.training = candidate.training
                check.evaluation = settings
                do { try check.validate() } catch is ConfigurationError { continue }
                let tables = (data.userCount + data.itemCount)
                    * (candidate.model.tower == .mf ? candidate.model.dimensions : (candidate.model.embeddingDimensions ?? candidate.model.dimensions))
                do {
                    if let limit = maxParameters, tables > limit { throw ConfigurationError("over the parameter budget") }
                    try candidate.training.validateMemory(model: candidate.model, userCount: data.userCount, itemCount: data.itemCount,
                                                          trainingRows: data.train.count, limit: memoryLimit)
                } catch is ConfigurationError {
                    skipped += 1
                    continue
                }
                configurations.append(candidate)
                return configurations.count - 1
            }
            return nil
        }

        var stop = Stop.trials
        while true {
            if let deadline, clock() >= deadline { stop = .timeBudget; break }
            let job: (configuration: Int, rung: Int)
            if let promotion = halving.nextPromotion() {
                job = promotion
            } else if trials.map({ configurations.count < $0 }) ?? true, !exhausted {
                guard let c = try draw() else {
                    exhausted = true
                    if configurations.isEmpty {
                        throw ConfigurationError("the search space holds no configuration that passes the checks (memory limit, {maxParameters}, option combinations)")
                    }
                    continue
                }
                job = (c, 0)
            } else {
                stop = exhausted ? .spaceExhausted : .trials
                break
            }
            let number = results.count + 1
            let configuration = configurations[job.configuration]
            let epochs = halving.rungEpochs[job.rung]
            let left = deadline.map { ", \(TimeBudget.format($0 - clock())) left" } ?? ""
            log("trial \(number) · config #\(job.configuration + 1) · rung \(job.rung) (≤ \(epochs) epoch\(epochs == 1 ? "" : "s"))\(left): \(SearchSpace.describe(model: configuration.model, training: configuration.training))")
            let result: TrialResult
            do {
                result = try trial(number: number, configuration: job.configuration, rung: job.rung, epochs: epochs,
                                   of: configuration, on: data, settings: settings, deadline: deadline, detail: detail)
            } catch is TuningDeadline {
                log("trial \(number) stopped: the time budget ended (its result is dropped)")
                stop = .timeBudget
                break
            }
            halving.record(configuration: job.configuration, rung: job.rung, score: result.score)
            results.append(result)
            best = max(best, result.score)
            let outcome = result.failure.map { "failed: \($0)" }
                ?? String(format: "%@ %.4f at epoch %d of %d", metric, result.score, result.bestEpoch, result.epochsRun)
            let remaining = deadline.map { ", \(TimeBudget.format(max(0, $0 - clock()))) left" } ?? ""
            let bestText = best.isFinite ? String(format: "%.4f", best) : "none"
            log(String(format: "trial %d · config #%d · rung %d: %@ (%.1fs); best so far %@%@", number, job.configuration + 1,
                       job.rung, outcome, result.seconds, bestText, remaining))
        }
        let board = leaderboard(results, configurations)
        return Search(trials: results, leaderboard: board, halving: halving, stop: stop, seconds: clock() - start, skipped: skipped)
    }

    /// One configuration per row, best first (score, then the order drawn), each with its best
    /// trial and a training configuration for the final run (best epoch, no early stopping).
    func leaderboard(_ results: [TrialResult],
                     _ configurations: [(model: ModelConfiguration, training: TrainingConfiguration)]) -> [LeaderboardEntry] {
        var bestTrial: [Int: TrialResult] = [:], rung: [Int: Int] = [:]
        for r in results {
            rung[r.configuration] = max(rung[r.configuration] ?? 0, r.rung)
            if let b = bestTrial[r.configuration], b.score > r.score || (b.score == r.score && b.rung > r.rung) { continue }
            bestTrial[r.configuration] = r
        }
        return bestTrial.map { c, trial -> LeaderboardEntry in
            var t = configurations[c].training
            t.epochs = max(1, trial.bestEpoch)
            t.patience = nil
            return LeaderboardEntry(configuration: c, model: configurations[c].model, training: t, best: trial, rung: rung[c] ?? 0)
        }.sorted { a, b in
            a.best.score != b.best.score ? a.best.score > b.best.score : a.configuration < b.configuration
        }
    }

    /// Trains one configuration for at most `epochs` epochs, scoring validation after each.
    func trial(number: Int, configuration c: Int, rung: Int, epochs: Int,
               of configuration: (model: ModelConfiguration, training: TrainingConfiguration), on data: TuningData,
               settings: EvaluationSettings, deadline: Double?, detail: ((String) -> Void)?) throws -> TrialResult {
        let started = clock()
        var training = configuration.training
        training.epochs = epochs
        training.validationMetric = metric
        var userFeatures = data.userFeatures
        if let n = configuration.model.userHistory {
            let train = data.train
            userFeatures.append(.history(users: train.users, items: train.items, timestamps: train.timestamps,
                                         userCount: data.userCount, itemCount: data.itemCount, count: n))
        }
        let model = TwoTowerModel(configuration: configuration.model, userCount: data.userCount, itemCount: data.itemCount,
                                  userFeatures: userFeatures, itemFeatures: data.itemFeatures, seed: training.seed)
        let trainer: Trainer
        do {
            trainer = try Trainer(model: model, configuration: training, itemCounts: data.train.rowCounts().items, threads: threads)
        } catch let error as ConfigurationError {  // e.g. more uniform negatives than items
            return TrialResult(number: number, configuration: c, rung: rung, epochBudget: epochs, score: -.infinity,
                               bestEpoch: 0, epochsRun: 0, validation: [], seconds: clock() - started, failure: error.message)
        }
        let metric = self.metric, clock = self.clock
        let validate: (Int) throws -> Double = { _ in
            if let deadline, clock() >= deadline { throw TuningDeadline() }
            return try ModelEvaluation.evaluate(model, on: data.validation, settings: settings).dictionary[metric] ?? 0
        }
        let observer = detail.map { TrialObserver(prefix: "  trial \(number): ", emit: $0) }
        do {
            let summary = try trainer.fit(data.train, observer: observer, validate: validate)
            return TrialResult(number: number, configuration: c, rung: rung, epochBudget: epochs,
                               score: summary.validation.max() ?? -.infinity, bestEpoch: summary.bestEpoch,
                               epochsRun: summary.epochs, validation: summary.validation, seconds: clock() - started, failure: nil)
        } catch let error as TrainingError {
            return TrialResult(number: number, configuration: c, rung: rung, epochBudget: epochs, score: -.infinity,
                               bestEpoch: 0, epochsRun: 0, validation: [], seconds: clock() - started, failure: "\(error)")
        }
    }
}

/// Thrown from a trial's validation when the time budget has ended.
struct TuningDeadline: Error {}

/// Forwards the trainer's messages (per-epoch validation, early stopping) with a prefix.
final class TrialObserver: TrainingObserver {
    let prefix: String
    let emit: (String) -> Void
    init(prefix: String, emit: @escaping (String) -> Void) { self.prefix = prefix; self.emit = emit }
    func message(_ text: String) { emit(prefix + text) }
}
