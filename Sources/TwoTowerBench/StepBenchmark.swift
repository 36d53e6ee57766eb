import ArgumentParser

struct StepBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "step", abstract: "Not implemented yet.")
    func run() throws { throw ValidationError("twotower-bench step is not implemented yet") }
}
