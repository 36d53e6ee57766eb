import ArgumentParser
import Foundation
import TowerCore

/// `twotower-bench gemm`: GFLOPS of our gemm (and of OpenBLAS in a `--traits OpenBLAS` build,
/// measured in the same run, interleaved) for the shapes of issue 2.
struct GemmBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "GEMM GFLOPS per shape, transposition and thread count (vs OpenBLAS in a trait build).")

    @Flag(help: "One JSON object per line instead of a table.")
    var json = false

    @Option(help: "Comma-separated thread counts.")
    var threads = "1,2"

    @Option(name: .customLong("repeat"), help: "Rounds per measurement; the best round counts.")
    var rounds = 3

    @Option(help: "Minimum seconds per timed run (a run repeats the call until this much time passed).")
    var minSeconds = 0.2

    @Flag(help: "Skip the 4096³ shape.")
    var quick = false

    @Option(help: "Kernel for our figures: native, avx512, avx2 or portable.")
    var kernel = "native"

    struct Shape { let m: Int, n: Int, k: Int }

    func run() throws {
        let threadCounts = try threads.split(separator: ",").map { text -> Int in
            guard let t = Int(text.trimmingCharacters(in: .whitespaces)), t > 0 else {
                throw ValidationError("--threads: expected positive integers separated by commas, found \"\(text)\"")
            }
            return t
        }
        guard rounds > 0 else { throw ValidationError("--repeat: expected a positive integer, found \(rounds)") }
        let ours: GemmKernel
        switch kernel {
        case "native": ours = .native
        case "portable": ours = .portable
        case "avx2": ours = .avx2
        case "avx512": ours = .avx512
        default: throw ValidationError("--kernel: expected native, avx512, avx2 or portable, found \"\(kernel)\"")
        }
        var shapes = [Shape(m: 1024, n: 1024, k: 64), Shape(m: 1024, n: 128, k: 64),
                      Shape(m: 1024, n: 1024, k: 256)]
        if !quick { shapes.append(Shape(m: 4096, n: 4096, k: 4096)) }
        let ops: [(String, Transpose, Transpose)] = [
            ("NN", .none, .none), ("NT", .none, .transposed), ("TN", .transposed, .none),
        ]
        let reference = GemmKernel.openBLASAvailable
        if !json {
            print("gemm: ours = \(kernel) (native here: \(GemmKernel.nativeName))"
                  + (reference ? ", reference = OpenBLAS (core \(GemmKernel.openBLASCoreName ?? "?"))" : "")
                  + "; GFLOPS = 2·m·n·k / time, best of \(rounds) interleaved rounds, each ≥ \(minSeconds) s")
            var header = "     m      n      k  op  threads     ours"
            if reference { header += "  OpenBLAS   ratio" }
            print(header)
        }
        for shape in shapes {
            for (name, transA, transB) in ops {
                let a = benchMatrix(rows: transA == .none ? shape.m : shape.k,
                                     columns: transA == .none ? shape.k : shape.m, seed: 1)
                let b = benchMatrix(rows: transB == .none ? shape.k : shape.n,
                                     columns: transB == .none ? shape.n : shape.k, seed: 2)
                var c = Matrix(rows: shape.m, columns: shape.n)
                for threadCount in threadCounts {
                    var bestOurs = Double.infinity
                    var bestReference = Double.infinity
                    for _ in 0..<rounds {
                        bestOurs = min(bestOurs, secondsPerCall {
                            gemm(transA, transB, a, b, into: &c, threads: threadCount, kernel: ours)
                        })
                        if reference {
                            bestReference = min(bestReference, secondsPerCall {
                                gemm(transA, transB, a, b, into: &c, threads: threadCount, kernel: .openBLAS)
                            })
                        }
                    }
                    let flops = 2.0 * Double(shape.m) * Double(shape.n) * Double(shape.k)
                    let gflops = flops / bestOurs / 1e9
                    let referenceGflops = flops / bestReference / 1e9
                    if json {
                        var line = "{\"m\":\(shape.m),\"n\":\(shape.n),\"k\":\(shape.k),\"op\":\"\(name)\","
                            + "\"threads\":\(threadCount),\"gflops\":\(rounded(gflops))"
                        if reference {
                            line += ",\"reference_gflops\":\(rounded(referenceGflops)),"
                                + "\"ratio\":\(rounded(gflops / referenceGflops, places: 3))"
                        }
                        print(line + "}")
                    } else {
                        var row = pad(shape.m, 6) + " " + pad(shape.n, 6) + " " + pad(shape.k, 6)
                            + "  \(name)  " + pad(threadCount, 7) + " " + pad(rounded(gflops), 8)
                        if reference {
                            row += " " + pad(rounded(referenceGflops), 9) + " "
                                + pad(rounded(gflops / referenceGflops, places: 2), 7)
                        }
                        print(row)
                    }
                    fflush(nil)
                }
            }
        }
    }

    /// Best-effort seconds per call: one warm-up call, then calls until `minSeconds` elapsed.
    private func secondsPerCall(_ body: () -> Void) -> Double {
        body()
        let clock = ContinuousClock()
        let start = clock.now
        var calls = 0
        var elapsed = Duration.zero
        repeat {
            body()
            calls += 1
            elapsed = clock.now - start
        } while elapsed < .seconds(minSeconds)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return seconds / Double(calls)
    }

    private func benchMatrix(rows: Int, columns: Int, seed: UInt64) -> Matrix {
        var rng = Xoshiro256(seed: seed)
        return Matrix(rows: rows, columns: columns,
                      values: (0..<(rows * columns)).map { _ in Float.random(in: -1..<1, using: &rng) })
    }

    private func rounded(_ x: Double, places: Int = 1) -> Double {
        let scale = pow(10, Double(places))
        return (x * scale).rounded() / scale
    }

    private func pad(_ value: some CustomStringConvertible, _ width: Int) -> String {
        let text = value.description
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
