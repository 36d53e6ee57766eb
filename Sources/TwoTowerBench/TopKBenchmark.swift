import ArgumentParser

struct TopKBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "topk", abstract: "Not implemented yet.")
    func run() throws { throw ValidationError("twotower-bench topk is not implemented yet") }
}
