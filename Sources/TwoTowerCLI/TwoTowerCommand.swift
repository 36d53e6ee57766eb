import ArgumentParser

@main
struct TwoTowerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twotower",
        abstract: "Train, evaluate and serve two-tower retrieval models.")
}
