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
            Without --test, the data is split again exactly as at training time (same seed and \
            split), so give the same --data and split options as to `train`. With --test, that file \
            is read through the model's vocabularies and the model's training items are excluded.
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
            try ModelEvaluation.evaluateSaved(modelDirectory: model, data: try data.source(),
                                              settings: try evaluation.settings(seed: seed))
        }
        for note in report.notes { printDiagnostic("note: \(note)") }
        print(report.table)
        if let path = evaluation.metricsOut {
            try AtomicFile.write(report.json(), to: path)
        }
    }
}
