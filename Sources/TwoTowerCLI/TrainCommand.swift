import ArgumentParser
import Foundation
import TowerDistributed
import TowerFormats
import TowerReport
import TowerWorkflows
import TwoTower

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a two-tower model, evaluate it on held-out data against baselines, optionally save it.",
        discussion: """
            Examples:
              twotower train                                   # built-in synthetic data
              twotower train --data ml-latest-small/ratings.csv --logq streaming --output model
              twotower train --data gowalla/train.txt --test gowalla/test.txt --eval-k 20
              twotower train --config best.json --data ml-latest-small/ratings.csv   # settings from `twotower tune`
              twotower train --data log.csv --user-column uid --item-column sku --timestamp-column ts \\
                             --sampler in-batch --sampler cross-batch:4096
              mpirun -np 4 twotower train --data log.csv --batch-size 4096     # data-parallel (built with --traits MPI)
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var training: TrainingOptions
    @OptionGroup var evaluation: EvaluationOptions

    @Option(name: .long, help: ArgumentHelp(
        "Settings from a JSON file whose keys are these long flag names without the dashes, e.g. {\"learning-rate\": 0.005, \"sampler\": [\"in-batch\", \"uniform:1024\"], \"l2-normalize\": true} (what `twotower tune --best-config` writes); flags on the command line override the file's values.",
        valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Save the trained model to this directory; resumable checkpoints are written there during training (see --checkpoint-every, --resume).", valueName: "dir"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp(
        "When to write the resumable checkpoint into the --output directory: K (after every K-th epoch), a time such as 90s, 10m or 1h (after an epoch ending at least that long after the last checkpoint, and at least 20 times as long as that checkpoint took to write, so checkpoints cost at most about 5%), or 0 (no checkpoints: the saved model cannot be resumed). Whatever the choice, the final save holds the last completed epoch's checkpoint. (default: 60s)",
        valueName: "K|time|0"))
    var checkpointEvery: String?

    @Option(name: .long, help: ArgumentHelp(
        "Continue the run whose --output directory this is from its last completed epoch (after a crash, a kill or Ctrl-C), with its saved flags, and save to it again. Flags given again must have the saved values (an error names the one that differs), except --epochs, which may be raised to train longer (not with --lr-decay, whose schedule spans the epochs), and --threads, --quiet, --tensorboard, --report, --no-report, --metrics-out, --checkpoint-every. The result equals the uninterrupted run's. Under mpirun every rank must be able to read the directory.",
        valueName: "dir"))
    var resume: String?

    /// The command line (after `--config`, without `--resume` and `--output`) kept in the checkpoint.
    nonisolated(unsafe) static var launchArguments: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "Write TensorBoard scalars to a new event file in this directory (created if missing): per step train/loss, train/learning_rate and train/examples_per_second; per epoch epoch/loss and epoch/validation; after the run the test metrics as test/<metric>. View them with `tensorboard --logdir <dir>`.",
        valueName: "dir"))
    var tensorboard: String?

    @Option(name: .customLong("report"), help: ArgumentHelp(
        "Write the HTML report of the run (plots of the data, losses, validation, speed, metrics against the baselines, popularity bias) to this file. Default with --output: report.html inside the model directory. `twotower report --run DIR` draws it again.",
        valueName: "file"))
    var reportFile: String?

    @Flag(name: .long, help: "Do not write the HTML report into the --output directory.")
    var noReport = false

    @Flag(name: .long, help: "Keep the early-stopped model instead of refitting: by default, once early stopping has found the best epoch E on the validation set (carved from the training part), a fresh model is trained for E epochs on the whole training part (train + validation) and that one is evaluated and saved, so the requested split is used whole (Keras Tuner's recipe; costs about E more epochs).")
    var noRefit = false

    @Flag(name: .customLong("validate"), help: "Hold out a validation set and report the validation metric after every epoch (implied by --patience).")
    var validationSet = false

    @Option(name: .long, parsing: .unconditional, help: "Threads for matrix products and ranking (default: every core for large products, one for small ones).")
    var threads: Int?

    @Flag(name: .long, help: "Print only the results (the metrics table and the final summary line): no progress, header lines or notes on standard error.")
    var quiet = false

    @Option(name: .long, help: ArgumentHelp(
        "Under mpirun: score each rank's rows against the in-batch candidates of the whole global batch (global, the default: N ranks train exactly as one process with the same --batch-size) or of the rank's own slice only (local: what TFRS and Merlin do under Horovod).",
        valueName: "global|local"))
    var negatives: NegativeScope = .global

    func validate() throws {
        _ = try makeRun()
        try OptionApplicability.enforce(OptionApplicability.train(self))
    }

    func makeRun() throws -> TrainingRun {
        var run = TrainingRun()
        do {
            run.data = try data.source()
            run.model = try model.configuration()
            run.training = try training.configuration()
            run.evaluation = try evaluation.settings(seed: run.training.seed)
            if training.validationMetric == nil, !run.evaluation.ks.contains(20), let k = run.evaluation.ks.max() {
                run.training.validationMetric = "recall@\(k)"
            }
            run.validation = validationSet
            run.refit = !noRefit
            run.output = output
            if let resume {
                if let output, output != resume {
                    throw ValidationError("--output \(output): a resumed run saves to its --resume directory \(resume)")
                }
                run.output = resume
                run.resume = resume
            }
            run.arguments = Self.launchArguments
            if let checkpointEvery { run.checkpointEvery = try CheckpointSchedule(parsing: checkpointEvery) }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
            run.threads = threads
            run.negativeScope = negatives
            try run.validate()
        } catch let error as ConfigurationError {
            throw ValidationError(error.message(naming: ConfigurationError.flag(for:)))
        }
        return run
    }

    func run() throws {
        var run = try makeRun()
        run.communicator = try WorldCommunicator.current(environment: ProcessInfo.processInfo.environment)
        let communicator = run.communicator
        let stop = StopRequest()
        let interrupts = communicator.size == 1 ? InterruptHandler(stop: stop) : nil
        run.stop = stop
        let progress = TrainingProgress.standardError(quiet: quiet, totalEpochs: run.training.epochs, patience: run.training.patience,
                                                       refitFollows: run.refit && run.training.patience != nil,
                                                       redraws: communicator.size == 1)
        let report: RunReport
        let events: TensorBoardObserver?
        do {
            // Created before training, so an unusable directory fails at once (rank 0 alone
            // writes; its error ends the whole job below instead of leaving the others waiting).
            if communicator.rank == 0, let path = evaluation.metricsOut {
                try AtomicFile.checkWritableDestination(path, what: "--metrics-out", directory: false)
            }
            if communicator.rank == 0, let path = reportFile {
                try AtomicFile.checkWritableDestination(path, what: "--report", directory: false)
            }
            if communicator.rank == 0, let path = tensorboard, let output = run.output {
                try ModelDirectory.checkNested(path, what: "--tensorboard", in: output)
            }
            events = communicator.rank == 0 ? try tensorboard.map { try TensorBoardObserver(directory: $0) } : nil
            let observer: any TrainingObserver = events.map { ObserverGroup([progress, $0]) } ?? progress
            report = try namingFlags { try run.run(progress: observer) { line in if !quiet { printDiagnostic(line) } } }
        } catch {
            // One rank failing alone would leave the others waiting in a collective: end the job.
            guard communicator.size > 1 else { throw error }
            FileHandle.standardError.write(Data("twotower train (rank \(communicator.rank) of \(communicator.size)): \(error)\n".utf8))
            communicator.abort(code: 1)
        }
        guard communicator.rank == 0 else { return }
        if let events {
            try events.write(report)
            try events.close()
            if !quiet { printDiagnostic("wrote TensorBoard events to \(events.writer.path)") }
        }
        // Results on standard output (the summary line too, with --quiet); the rest went to standard error.
        print(report.table)
        print(report.summaryLine)
        if let path = evaluation.metricsOut {
            try AtomicFile.write(report.json(), to: path)
        }
        if let path = reportPath {
            let written = try TrainingReport.write(report, to: path)
            if !quiet {
                printDiagnostic(String(format: "wrote the report to %@ in %.3fs (%.2f%% of the %.1fs of training)", path,
                                       written.seconds, 100 * written.seconds / max(report.training.seconds, 1e-9), report.training.seconds))
            }
        }
        withExtendedLifetime(interrupts) {}
        if report.training.interrupted || report.refitInterrupted { throw ExitCode(InterruptHandler.exitStatus) }
    }

    /// `--report`, else `report.html` in `--output` unless `--no-report`.
    var reportPath: String? {
        if let reportFile { return reportFile }
        guard !noReport, let output else { return nil }
        return (output as NSString).appendingPathComponent("report.html")
    }
}

extension NegativeScope: ExpressibleByArgument {}
