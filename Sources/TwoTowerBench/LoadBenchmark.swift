import ArgumentParser

struct LoadBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Not implemented yet.")
    func run() throws { throw ValidationError("twotower-bench load is not implemented yet") }
}
