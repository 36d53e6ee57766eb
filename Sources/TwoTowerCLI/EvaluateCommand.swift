import ArgumentParser
import Foundation
import TowerFormats
import TowerWorkflows
import TwoTower

struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate a saved model on held-out data, beside the popularity and random baselines.",
        discussion: """
            Without --data, the data recorded in the model is used (its absolute path, format, \
            columns, filters, split and seed, as given to `train`), and the run says so; if a \
            recorded file moved or changed (size or CRC-32 of its contents), it is an error naming \
            the file and what differs. With --data, the given options replace the record: without \
            --test, the data is split again exactly as at training time (same seed), so give the \
            same split options as to `train`; with --test, that file is read through the model's \
            vocabularies and the model's training items are excluded.

            Examples:
              twotower evaluate --model model
              twotower evaluate --model model --data ml-latest-small --split ratio:0.8
            """)

    @Option(name: .long, help: ArgumentHelp("The model directory written by `train --output`.", valueName: "dir"))
    var model: String

    @OptionGroup var data: DataOptions
    @OptionGroup var evaluation: EvaluationOptions

    @Option(name: .long, parsing: .unconditional, help: "Seed of random tie-breaking and the random baseline. (default: 42)", transform: parseSeed)
    var seed: UInt64 = 42

    /// Checks the data and evaluation options before the model is read.
    func validate() throws {
        try OptionApplicability.enforce(OptionApplicability.evaluate(self))
        do {
            _ = try data.source()
            try evaluation.settings(seed: seed).validate()
        } catch let error as ConfigurationError {
            throw ValidationError(error.message(naming: ConfigurationError.flag(for:)))
        }
    }

    func run() throws {
        let report = try namingFlags {
            try ModelEvaluation.evaluateSaved(modelDirectory: model, data: data.data == nil ? nil : try data.source(),
                                              settings: try evaluation.settings(seed: seed))
        }
        for note in report.notes { printDiagnostic("note: \(note)") }
        print(report.table)
        if let path = evaluation.metricsOut {
            try AtomicFile.write(report.json(), to: path)
        }
    }
}
