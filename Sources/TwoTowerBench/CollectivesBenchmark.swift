import ArgumentParser
import Foundation
import TowerDistributed

/// `twotower-bench collectives`: checks every collective of the world communicator against values
/// each rank can compute by itself, then times all-gather, reduce-scatter and all-reduce.
///
/// Run under `mpirun -np N` with a build that has the `MPI` trait (scripts/mpi-check.sh);
/// without mpirun it checks the single-process group. Exits non-zero when a check fails.
struct CollectivesBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collectives",
        abstract: "Check the communicator's collectives on every rank, then time them (µs per call).")

    @Option(help: "Buffer sizes to time, in Float elements per rank, comma separated.")
    var sizes = "1024,16384,262144"
    @Option(help: "Timed calls per size (the median is reported).") var iterations = 50
    @Flag(help: "Skip the timings; only check.") var checkOnly = false

    func run() throws {
        let world = try WorldCommunicator.current(environment: ProcessInfo.processInfo.environment)
        let failures = try Self.check(world)
        let allFailures = try world.allReduceSum([Int64(failures.count)])[0]
        for failure in failures { FileHandle.standardError.write(Data("rank \(world.rank): FAILED \(failure)\n".utf8)) }
        if world.rank == 0 {
            print("collectives: \(world.size) rank(s), MPI \(WorldCommunicator.isMPIAvailable ? "built in" : "not built"): \(allFailures == 0 ? "all checks passed" : "\(allFailures) check(s) failed")")
        }
        if allFailures != 0 { throw ExitCode.failure }
        if checkOnly { return }
        let sizeList = sizes.split(separator: ",").compactMap { Int($0) }
        guard !sizeList.isEmpty, sizeList.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--sizes: expected a comma-separated list of positive integers, found \"\(sizes)\"")
        }
        guard iterations >= 1 else { throw ValidationError("--iterations: expected a positive integer, found \(iterations)") }
        for n in sizeList {
            let local = [Float](repeating: Float(world.rank), count: n)
            let full = [Float](repeating: 1, count: n * world.size)
            let counts = [Int](repeating: n, count: world.size)
            let gather = try time(world) { _ = try world.allGather(local) }
            let scatter = try time(world) { _ = try world.reduceScatterSum(full, counts: counts) }
            let reduce = try time(world) { _ = try world.allReduceSum(local) }
            if world.rank == 0 {
                print("ranks=\(world.size) floats_per_rank=\(n) bytes_per_rank=\(n * 4) all_gather_us=\(gather) reduce_scatter_us=\(scatter) all_reduce_us=\(reduce)")
            }
        }
    }

    /// Median microseconds per call over `iterations` calls, each started after a barrier; the
    /// maximum over ranks of each call's time.
    private func time(_ world: any Communicator, _ body: () throws -> Void) throws -> String {
        var samples: [Double] = []
        for _ in 0..<iterations {
            try world.barrier()
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            let local = Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000
            samples.append(local)
        }
        let gathered = try world.allGather(samples)
        let perCall = (0..<iterations).map { i in (0..<world.size).map { gathered[$0 * iterations + i] }.max()! }
        return String(format: "%.1f", perCall.sorted()[iterations / 2])
    }

    /// Every collective against expectations each rank computes alone; returns what failed.
    static func check(_ world: any Communicator) throws -> [String] {
        var failures: [String] = []
        let r = world.rank, n = world.size
        func expect(_ ok: Bool, _ what: String) { if !ok { failures.append(what) } }

        // all-gather: rank r sends [r*10, r*10+1, r*10+2].
        let gathered = try world.allGather((0..<3).map { Float(r * 10 + $0) })
        expect(gathered == (0..<n).flatMap { q in (0..<3).map { Float(q * 10 + $0) } }, "all-gather values")

        // all-gather-v: rank r sends r+1 copies of r (Int64).
        let v = try world.allGatherV([Int64](repeating: Int64(r), count: r + 1))
        expect(v.counts == (0..<n).map { $0 + 1 }, "all-gather-v counts")
        expect(v.values == (0..<n).flatMap { [Int64](repeating: Int64($0), count: $0 + 1) }, "all-gather-v values")

        // reduce-scatter: rank r contributes x[i] = r + i over uneven counts; rank r gets the sums
        // of its block: Σ_q (q + i) = n(n-1)/2 + n·i.
        let counts = (0..<n).map { $0 % 2 == 0 ? 3 : 2 }
        let total = counts.reduce(0, +)
        let block = try world.reduceScatterSum((0..<total).map { Double(r + $0) }, counts: counts)
        let start = counts[0..<r].reduce(0, +)
        expect(block == (start ..< start + counts[r]).map { Double(n * (n - 1) / 2 + n * $0) }, "reduce-scatter values")

        // broadcast from the last rank; other ranks pass a buffer of another length.
        let root = n - 1
        let b = try world.broadcast(r == root ? [Int32(7), 8, 9] : [Int32(-1)], root: root)
        expect(b == [7, 8, 9], "broadcast values")

        // all-reduce of values whose float sum depends on order: every rank must hold the same bits.
        let terms: [Float] = (0..<64).map { Float(r + 1) * 1e-3 * Float($0 + 1) + (r % 2 == 0 ? 1e7 : -1e7) }
        let sum = try world.allReduceSum(terms)
        let bits = try world.allGather(sum.map { Int64($0.bitPattern) })
        let identical = (1..<n).allSatisfy { q in Array(bits[q * 64 ..< (q + 1) * 64]) == Array(bits[0..<64]) }
        expect(identical, "all-reduce bit-identical on every rank")

        // mismatched lengths are an error on every rank, not a hang or garbage.
        if n > 1 {
            let result = Result { () throws(CommunicatorError) -> [Float] in try world.allGather([Float](repeating: 0, count: r + 1)) }
            switch result {
            case .failure(.mismatchedLengths): break
            default: failures.append("all-gather with mismatched lengths did not fail with mismatchedLengths")
            }
        }
        try world.barrier()
        return failures
    }
}
