import ArgumentParser

struct GemmBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gemm", abstract: "Not implemented yet.")
    func run() throws { throw ValidationError("twotower-bench gemm is not implemented yet") }
}
