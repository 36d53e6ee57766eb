import ArgumentParser
import Foundation
import TowerFormats
import TowerReport
import TowerWorkflows
import TwoTower

struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Search hyperparameters on a validation set carved from the training data, then evaluate the winner on the test set once.",
        discussion: """
            Asynchronous successive halving with epochs as the resource: configurations drawn from the \
            search space train for --min-epochs; the best 1/η of each rung train again (from scratch) \
            for η times the epochs, up to --max-epochs. Trials see the training part only (minus a \
            validation set: one interaction per user, or 10% for ratio splits); the test part is used \
            once, for the winner, retrained for its best number of epochs on the whole training part.

            Progress goes to standard error, the leaderboard and the test metrics to standard output; \
            --best-config writes the winner as a file `twotower train --config` reads. --output DIR \
            saves the search: tune.json (every trial, the leaderboard, the final run's record), \
            best.json (as --best-config) and report.html (the HTML report; --report FILE writes it \
            elsewhere, `twotower report --run DIR` draws it again).

            Search space (each a comma-separated list of choices; --space FILE gives them as JSON \
            lists under the same names, e.g. {"learning-rates": [0.001, 0.01], "samplers": \
            ["in-batch", "in-batch+uniform:1024"]}; flags override the file):
              --learning-rates 0.001,0.002,0.005,0.01,0.02   --similarities dot,cosine
              --temperatures 0.05,0.1,0.2 (cosine only)        --losses softmax,bpr,ccl
              --samplers in-batch,in-batch+uniform:256,uniform:1024,in-batch+uniform:1024
              --logq none,streaming   --dims 32,64,128   --weight-decays 0,0.01,0.1
              --embedding-l2s 0,0.03,0.1,0.3   --lr-decays none,cosine
              --ccl-margins 0.5,0.8,0.9   --ccl-negative-weights 1,10,100 (ccl only)

            Examples:
              twotower tune --data ml-latest-small/ratings.csv --time-budget 30m --best-config best.json
              twotower train --config best.json --data ml-latest-small/ratings.csv
              twotower tune --data gowalla --trials 81 --losses softmax --dims 64 --best-config best.json
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var evaluation: EvaluationOptions

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Wall-clock budget of the search, e.g. 90s, 30m, 2h, 1h30m (the final run comes after it).", valueName: "duration"))
    var timeBudget: String?

    @Option(name: .long, parsing: .unconditional, help: "Configurations to draw (each starts on the first rung; give this and/or --time-budget).")
    var trials: Int?

    @Option(name: .long, parsing: .unconditional, help: "Seed of every random choice: configurations, splits, training (same seed and --trials, same search). (default: 42)", transform: parseSeed)
    var seed: UInt64 = 42

    @Option(name: .long, help: "Validation metric the trials are ranked by, METRIC@K.")
    var metric: String = "recall@20"

    @Option(name: .long, help: ArgumentHelp("Write the winner as a `twotower train --config` file (written atomically).", valueName: "file"))
    var bestConfig: String?

    @Option(name: .long, help: ArgumentHelp("Save the search in this directory (created if missing): tune.json (the tune record: every trial, the leaderboard, the final run), best.json and report.html (unless --no-report). Files are written atomically.", valueName: "dir"))
    var output: String?

    @Option(name: .customLong("report"), help: ArgumentHelp("Write the HTML report of the search (leaderboard, every trial's validation curve, which knob mattered, the winner's test metrics against the baselines) to this file. Default with --output: report.html inside it.", valueName: "file"))
    var reportFile: String?

    @Flag(name: .long, help: "Do not write the HTML report into the --output directory.")
    var noReport = false

    @Option(name: .long, help: ArgumentHelp("The search space as a JSON object of lists (see above).", valueName: "file"))
    var space: String?

    @Option(name: .long, help: ArgumentHelp("Learning rates to try.", valueName: "list")) var learningRates: String?
    @Option(name: .long, help: ArgumentHelp("dot and/or cosine (L2-normalised towers).", valueName: "list")) var similarities: String?
    @Option(name: .long, help: ArgumentHelp("Temperatures of cosine scores.", valueName: "list")) var temperatures: String?
    @Option(name: .long, help: ArgumentHelp("Losses: softmax, bpr, ccl.", valueName: "list")) var losses: String?
    @Option(name: .long, help: ArgumentHelp("Negative sampler sets; + mixes samplers: in-batch+uniform:1024.", valueName: "list")) var samplers: String?
    @Option(name: .long, help: ArgumentHelp("logQ corrections: none, static, streaming.", valueName: "list")) var logq: String?
    @Option(name: .long, help: ArgumentHelp("Tower output dimensions.", valueName: "list")) var dims: String?
    @Option(name: .long, help: ArgumentHelp("Decoupled weight decays (Adam).", valueName: "list")) var weightDecays: String?
    @Option(name: .long, help: ArgumentHelp("L2 penalties on the looked-up embedding rows (--embedding-l2).", valueName: "list")) var embeddingL2s: String?
    @Option(name: .long, help: ArgumentHelp("Learning-rate decays: none, cosine, linear, exponential.", valueName: "list")) var lrDecays: String?
    @Option(name: .long, help: ArgumentHelp("ccl margins.", valueName: "list")) var cclMargins: String?
    @Option(name: .long, help: ArgumentHelp("ccl negative weights.", valueName: "list")) var cclNegativeWeights: String?

    @Option(name: .long, parsing: .unconditional, help: "Epochs of the first rung.")
    var minEpochs: Int = 1

    @Option(name: .long, parsing: .unconditional, help: "Epochs of the last rung.")
    var maxEpochs: Int = 27

    @Option(name: .long, parsing: .unconditional, help: "η: the best 1/η of a rung go on with η times the epochs.")
    var reductionFactor: Int = 3

    @Option(name: .long, parsing: .unconditional, help: "Skip configurations whose id embedding tables hold more than this many floats ((users + items) × dim).")
    var maxParameters: Int?

    @Option(name: .long, parsing: .unconditional, help: "Examples per batch (not searched).")
    var batchSize: Int = 1024

    @Option(name: .long, help: "Optimizer (not searched): adam, adagrad or sgd.")
    var optimizer: OptimizerKind = .adam

    @Option(name: .long, parsing: .unconditional, help: "Early stopping inside a trial: stop after this many epochs without improvement.")
    var patience: Int = 2

    @Option(name: .long, parsing: .unconditional, help: "Leaderboard rows to print.")
    var leaderboardRows: Int = 20

    @Option(name: .long, parsing: .unconditional, help: "Threads for matrix products and ranking (default: by problem size).")
    var threads: Int?

    @Flag(name: .long, help: "Also print every trial's per-epoch validation lines.")
    var verbose = false

    @Flag(name: .long, help: "Print only the leaderboard and the results.")
    var quiet = false

    func validate() throws {
        _ = try makeRun()
    }

    func makeRun() throws -> TuningRun {
        var run = TuningRun()
        do {
            run.data = try data.source()
            run.evaluation = try evaluation.settings(seed: seed)
            run.training.seed = seed
            run.training.batchSize = batchSize
            run.training.optimizer = optimizer
            run.training.patience = patience
            run.training.lossReduction = .mean
            run.metric = metric
            run.trials = trials
            run.timeBudget = try timeBudget.map { text in
                if text.hasPrefix("-") {
                    throw ValidationError("--time-budget \(text): a negative duration is invalid; give a positive one such as 90s, 30m or 1h30m")
                }
                do { return try TimeBudget.seconds(parsing: text) } catch let e as ConfigurationError {
                    throw ValidationError("--time-budget" + e.message.dropFirst("time budget".count))
                }
            }
            run.minEpochs = minEpochs
            run.maxEpochs = maxEpochs
            run.reductionFactor = reductionFactor
            run.maxParameters = maxParameters
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
            run.threads = threads
            if leaderboardRows < 1 { throw ValidationError("--leaderboard-rows must be at least 1") }
            run.space = try space.map { try SearchSpace(file: $0) } ?? SearchSpace()
            let lists: [(String, String?)] = [
                ("learning-rates", learningRates), ("similarities", similarities), ("temperatures", temperatures),
                ("losses", losses), ("samplers", samplers), ("logq", logq), ("dims", dims), ("weight-decays", weightDecays),
                ("ccl-margins", cclMargins), ("ccl-negative-weights", cclNegativeWeights),
                ("embedding-l2s", embeddingL2s), ("lr-decays", lrDecays),
            ]
            for case let (key, text?) in lists {
                do { try run.space.set(key, text: text) } catch let e as ConfigurationError {
                    throw ValidationError("--\(key) \(text): \(e.message)")
                }
            }
            if let bestConfig { try AtomicFile.checkWritableDestination(bestConfig, what: "--best-config", directory: false) }
            if let path = evaluation.metricsOut {
                try AtomicFile.checkWritableDestination(path, what: "--metrics-out", directory: false)
            }
            if let output { try AtomicFile.checkWritableDestination(output, what: "--output", directory: true) }
            if let reportFile { try AtomicFile.checkWritableDestination(reportFile, what: "--report", directory: false) }
            try run.validate()
        } catch let error as ConfigurationError {
            throw ValidationError(error.message(naming: Self.flag(for:)))
        }
        return run
    }

    /// The tune flag of a field named in a ``ConfigurationError``.
    static func flag(for field: String) -> String {
        switch field {
        case "timeBudget": "--time-budget"
        case "trials": "--trials"
        case "metric": "--metric"
        case "minEpochs": "--min-epochs"
        case "maxEpochs": "--max-epochs"
        case "reductionFactor": "--reduction-factor"
        case "maxParameters": "--max-parameters"
        case _ where SearchSpace.keys.contains(field): "--" + field
        default: ConfigurationError.flag(for: field)
        }
    }

    func run() throws {
        let run = try makeRun()
        let stderr = FileHandle.standardError
        let log: (String) -> Void = { line in if !quiet { stderr.write(Data((line + "\n").utf8)) } }
        let started = TrainingProgress.monotonicSeconds()
        let report = try namingFlags { try run.run(log: log, detail: verbose && !quiet ? log : nil) }
        let tuneSeconds = TrainingProgress.monotonicSeconds() - started
        let search = report.search
        print(String(format: "leaderboard (validation %@, %d trials of %d configurations in %@; %@):", run.metric,
                     search.trials.count, search.leaderboard.count, TimeBudget.format(search.seconds), search.stop.rawValue))
        print(search.table(metric: run.metric, top: leaderboardRows))
        if search.leaderboard.count > leaderboardRows { print("(\(search.leaderboard.count - leaderboardRows) more)") }
        try save(report, of: run, tuneSeconds: tuneSeconds, log: log)
        guard let winner = search.winner else {
            throw ValidationError("no trial succeeded (every one failed; see the messages above)")
        }
        if let bestConfig {
            try AtomicFile.write(TrainConfigFile.json(model: winner.model, training: winner.training), to: bestConfig)
            print("wrote the best configuration (#\(winner.configuration + 1)) to \(bestConfig); `twotower train --config \(bestConfig)` with the same data flags reproduces the test figures below")
        }
        if let final = report.final {
            print("test metrics of the winner (#\(winner.configuration + 1), retrained for \(winner.training.epochs) epoch\(winner.training.epochs == 1 ? "" : "s") on the whole training part):")
            print(final.table)
            if let path = evaluation.metricsOut { try AtomicFile.write(final.json(), to: path) }
        }
    }

    /// `--report`, else `report.html` in `--output` unless `--no-report`.
    var reportPath: String? {
        if let reportFile { return reportFile }
        guard !noReport, let output else { return nil }
        return (output as NSString).appendingPathComponent("report.html")
    }

    /// Writes the tune record, the best configuration and the report that `--output` and
    /// `--report` ask for (before a search where every trial failed ends with an error, so its
    /// page still shows why).
    func save(_ report: TuningRun.Report, of run: TuningRun, tuneSeconds: Double, log: (String) -> Void) throws {
        guard output != nil || reportPath != nil else { return }
        let record = try report.record(of: run)
        if let output {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let file = (output as NSString).appendingPathComponent(TuningRecord.fileName)
            try AtomicFile.write(record.json(), to: file)
            if let winner = report.search.winner {
                try AtomicFile.write(TrainConfigFile.json(model: winner.model, training: winner.training),
                                     to: (output as NSString).appendingPathComponent("best.json"))
            }
            log("wrote the tune record to \(file)")
        }
        if let path = reportPath {
            let written = try TuningReport.write(record, to: path)
            print("wrote the report to \(path)")
            log(String(format: "the report (%d bytes) took %.3fs (%.3f%% of the %.1fs tune)", written.bytes, written.seconds,
                       100 * written.seconds / max(tuneSeconds, 1e-9), tuneSeconds))
        }
    }
}
