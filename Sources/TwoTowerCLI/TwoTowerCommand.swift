import ArgumentParser

@main
struct TwoTowerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twotower",
        abstract: "Train, evaluate and serve two-tower retrieval models with in-batch negatives.",
        discussion: """
            With no data argument, `twotower train` trains on a built-in synthetic dataset with planted \
            structure and prints the model's metrics beside popularity, random and oracle baselines.
            """,
        subcommands: [TrainCommand.self, EvaluateCommand.self, RecommendCommand.self, ExportCommand.self,
                      SynthCommand.self, InspectCommand.self, ServeCommand.self],
        defaultSubcommand: nil)
}
