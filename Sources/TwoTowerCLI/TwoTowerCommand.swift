import ArgumentParser
import TowerWorkflows

@main
struct TwoTowerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twotower",
        abstract: "Train, evaluate and serve two-tower retrieval models with in-batch negatives.",
        discussion: """
            With no data argument, `twotower train` trains on a built-in synthetic dataset with planted \
            structure and prints the model's metrics beside popularity, random and oracle baselines.
            """,
        version: TwoTowerVersion.string,
        subcommands: [TrainCommand.self, EvaluateCommand.self, RecommendCommand.self, ExportCommand.self,
                      SynthCommand.self, InspectCommand.self, ServeCommand.self, TuneCommand.self, ReportCommand.self],
        defaultSubcommand: nil)

    /// Runs the command line, first checking that its first word names a subcommand (see
    /// ``unknownSubcommand(in:)``).
    static func main() async {
        if let error = unknownSubcommand(in: Array(CommandLine.arguments.dropFirst())) {
            exit(withError: error)
        }
        var arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "train" {  // `train --config FILE`: the file's settings, then the flags
            do {
                let expanded = try TrainConfigFile.expand(Array(arguments.dropFirst()))
                let resumed = try TrainResumeArguments.expand(expanded)  // `train --resume DIR`
                TrainCommand.launchArguments = TrainResumeArguments.saved(resumed)
                arguments = ["train"] + resumed
            } catch {
                exit(withError: error)
            }
        }
        await main(arguments)
    }

    /// The subcommand names, `help` included.
    static var subcommandNames: [String] {
        configuration.subcommands.flatMap { [$0._commandName] + $0.configuration.aliases } + ["help"]
    }

    /// An error naming the unknown subcommand and the available ones when the first argument is
    /// a word that is not a subcommand. The parser itself reports the first option after it
    /// (`twotower fit --data x`: "Unknown option '--data'"), which points the wrong way.
    static func unknownSubcommand(in arguments: [String]) -> ValidationError? {
        guard let first = arguments.first, !first.hasPrefix("-"), !subcommandNames.contains(first) else { return nil }
        let available = configuration.subcommands.map { $0._commandName }
        return ValidationError("unknown subcommand '\(first)'; the subcommands are \(available.joined(separator: ", ")) "
            + "(`twotower help SUBCOMMAND` describes one)")
    }
}
