import ArgumentParser
import TowerFormats
import TowerWorkflows
import TwoTower

/// Evaluation options shared by `train` and `evaluate`.
struct EvaluationOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Cut-offs of the top-k metrics, comma-separated.", valueName: "k-list"))
    var evalK: String = "10,20,50"

    @Option(name: .long, help: "per-user: all held-out items of a user are relevant, training items excluded (LightGCN/BARS tables); per-row: one target per row, nothing excluded (Merlin).")
    var `protocol`: EvaluationSettings.ProtocolKind = .perUser

    @Option(name: .long, help: ArgumentHelp("Write the metrics, baselines and training figures as JSON to this file.", valueName: "file"))
    var metricsOut: String?

    func cutoffs() throws -> [Int] { try parseIntegerList(evalK, option: "--eval-k") }
}

extension EvaluationSettings.ProtocolKind: ExpressibleByArgument {}

extension EvaluationOptions {
    func settings(seed: UInt64) throws -> EvaluationSettings {
        var s = EvaluationSettings()
        s.ks = try cutoffs()
        s.protocolKind = `protocol`
        s.seed = seed
        return s
    }
}
