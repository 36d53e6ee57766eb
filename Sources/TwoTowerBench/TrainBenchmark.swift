import ArgumentParser

struct TrainBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "train", abstract: "Not implemented yet.")
    func run() throws { throw ValidationError("twotower-bench train is not implemented yet") }
}
