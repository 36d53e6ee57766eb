import ArgumentParser
import Foundation
import TowerWorkflows

/// `twotower-bench fuzz`: the seeded mutation fuzzer over every reader and the model loader
/// (``InputFuzzer``); prints cases per minute and every input that did not end in a typed error.
struct FuzzBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Mutated CSV/MovieLens/LightGCN files and model directories into every reader; exits 1 on a finding.")

    @Option(help: "Mutated inputs to try.")
    var iterations = 2000

    @Option(help: "Seed of the mutations (same seed, same inputs).")
    var seed: UInt64 = 1

    func run() throws {
        let directory = NSTemporaryDirectory() + "twotower-fuzz-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var fuzzer = try InputFuzzer(directory: directory, seed: seed)
        let start = Date()
        let s = fuzzer.run(iterations: iterations) { n in
            // A crash or hang stops here: the last line printed names the case to replay.
            if n % 500 == 0 { FileHandle.standardError.write(Data("fuzz: seed \(seed), case \(n)\n".utf8)) }
        }
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "fuzz: seed %llu, %d inputs (%d reads: %d accepted, %d typed errors) in %.1f s = %.0f inputs/min; slowest read %.3f s (%@); findings %d",
                     seed, iterations, s.cases, s.accepted, s.rejected, seconds, Double(iterations) / seconds * 60,
                     s.slowestCase, s.slowestTarget, s.findings.count))
        for f in s.findings.prefix(20) { print("finding: \(f)") }
        if !s.findings.isEmpty { throw ExitCode(1) }
    }
}
