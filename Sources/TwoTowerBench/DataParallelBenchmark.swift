import ArgumentParser
import Foundation
import TowerCore
import TowerDistributed
import TwoTower

/// `twotower-bench data-parallel`: checks that training on the world communicator with global
/// negatives equals one process with the whole batch, then times training steps.
///
/// Check (every rank): MF (Adam) and MLP (SGD) towers, in-batch and mixed (in-batch + uniform)
/// negatives, streaming logQ, 50 steps with some batches that do not divide evenly: rank 0 also
/// trains alone and compares the per-step losses and the final parameters (1e-5 relative), and
/// the ranks compare their replicas bit for bit. Exits non-zero on any difference.
/// Timing: MF, B = `--batch`, d = `--dim`, in-batch negatives and streaming logQ on random
/// batches over `--items` items; prints examples/s, ms per step, the share of it spent in
/// collectives and the bytes each rank sends per step. Run alone with `--threads 2` and under
/// `mpirun -np 2` with `--threads 1` to compare 1 process × 2 threads with 2 processes × 1 thread.
struct DataParallelBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-parallel",
        abstract: "Check N-rank training against one process, then time training steps (examples/s, bytes per step).")

    @Flag(help: "Only run the equivalence check.") var checkOnly = false
    @Option(help: "Global batch size of the timing.") var batch = 1024
    @Option(help: "Embedding dimension of the timing.") var dim = 64
    @Option(help: "Items (and users) of the timing's catalogue.") var items = 100_000
    @Option(help: "Timed steps (after 3 warm-up steps).") var steps = 40
    @Option(help: "GEMM threads per rank.") var threads = 1

    struct Case {
        var name: String
        var tower: ModelConfiguration.TowerKind
        var samplers: [SamplerSpecification]
        var optimizer: OptimizerKind
        var learningRate: Float
    }

    func run() throws {
        let world = try WorldCommunicator.current(environment: ProcessInfo.processInfo.environment)
        guard batch >= world.size, dim >= 1, items >= 2, steps >= 1, threads >= 1 else {
            throw ValidationError("data-parallel: --batch must be at least the number of ranks; --dim, --steps, --threads ≥ 1; --items ≥ 2")
        }
        var failures: [String] = []
        let cases = [
            Case(name: "mf in-batch adam", tower: .mf, samplers: [.inBatch], optimizer: .adam, learningRate: 0.01),
            Case(name: "mf in-batch+uniform adam", tower: .mf, samplers: [.inBatch, .uniform(count: 16)], optimizer: .adam, learningRate: 0.01),
            Case(name: "mlp in-batch sgd", tower: .mlp, samplers: [.inBatch], optimizer: .sgd, learningRate: 0.2),
            Case(name: "mlp in-batch+uniform sgd", tower: .mlp, samplers: [.inBatch, .uniform(count: 16)], optimizer: .sgd, learningRate: 0.2),
        ]
        for c in cases { failures += try check(c, world: world) }
        let total = try world.allReduceSum([Int64(failures.count)])[0]
        for failure in failures { FileHandle.standardError.write(Data("rank \(world.rank): FAILED \(failure)\n".utf8)) }
        if world.rank == 0 {
            print("data-parallel: \(world.size) rank(s): \(total == 0 ? "\(cases.count) cases equal one process with the whole batch" : "\(total) check(s) failed")")
        }
        if total != 0 { throw ExitCode.failure }
        if !checkOnly { try time(world: world) }
    }

    /// Random batches from a fixed seed (the same on every rank); with `ragged`, every fifth is
    /// 3 rows short, so it does not divide evenly between ranks.
    static func batches(count: Int, rows: Int, users: Int, items: Int, ragged: Bool) -> [(users: [Int32], items: [Int32])] {
        var g = SplitMix64(seed: 7)
        return (0..<count).map { step in
            let n = ragged && step % 5 == 4 ? rows - 3 : rows
            return ((0..<n).map { _ in Int32(g.next() % UInt64(users)) }, (0..<n).map { _ in Int32(g.next() % UInt64(items)) })
        }
    }

    private static func trainer(tower: ModelConfiguration.TowerKind, dim: Int, users: Int, items: Int, samplers: [SamplerSpecification],
                                optimizer: OptimizerKind, learningRate: Float, batch: Int, threads: Int,
                                communicator: any Communicator) throws -> (TwoTowerModel, Trainer) {
        var m = ModelConfiguration()
        m.tower = tower
        m.dimensions = dim
        m.hiddenLayers = [2 * dim]
        let model = TwoTowerModel(configuration: m, userCount: users, itemCount: items, seed: 5)
        var c = TrainingConfiguration()
        c.samplers = samplers
        c.optimizer = optimizer
        c.learningRate = learningRate
        c.batchSize = batch
        c.seed = 11
        let trainer = try Trainer(model: model, configuration: c, itemCounts: (0..<items).map { $0 % 7 + 1 },
                                  threads: threads, communicator: communicator)
        return (model, trainer)
    }

    private static func train(_ trainer: Trainer, _ batches: [(users: [Int32], items: [Int32])]) throws -> [Float] {
        try batches.map { b in
            try b.users.withUnsafeBufferPointer { u in try b.items.withUnsafeBufferPointer { try trainer.step(users: u, items: $0) } }
        }
    }

    private func check(_ c: Case, world: any Communicator) throws -> [String] {
        let users = 60, items = 40, rows = 32
        let batches = Self.batches(count: 50, rows: rows, users: users, items: items, ragged: true)
        func run(_ communicator: any Communicator) throws -> ([Float], [[Float]]) {
            let (model, trainer) = try Self.trainer(tower: c.tower, dim: 8, users: users, items: items, samplers: c.samplers,
                                                    optimizer: c.optimizer, learningRate: c.learningRate, batch: rows,
                                                    threads: 1, communicator: communicator)
            return (try Self.train(trainer, batches), model.parameters.map(\.value.storage))
        }
        let (losses, parameters) = try run(world)
        var failures: [String] = []
        // Replicas: every rank's parameters hash equal to rank 0's.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for value in parameters.joined() { hash = (hash ^ UInt64(value.bitPattern)) &* 0x100_0000_01b3 }
        let hashes = try world.allGather([Int64(bitPattern: hash)])
        if hashes.contains(where: { $0 != hashes[0] }) { failures.append("\(c.name): replicas differ between ranks") }
        guard world.rank == 0 else { return failures }
        let (aloneLosses, aloneParameters) = try run(SingleProcessCommunicator())
        let lossDifference = Self.relativeDifference(aloneLosses, losses, floor: 0)
        if !(lossDifference < 1e-5) { failures.append("\(c.name): per-step losses differ by \(lossDifference) relative") }
        for (k, (a, b)) in zip(aloneParameters, parameters).enumerated() {
            let d = Self.relativeDifference(a, b, floor: 0.05)
            if !(d < 1e-5) { failures.append("\(c.name): parameter \(k) differs by \(d) relative") }
        }
        return failures
    }

    /// `max|a − b| / max(max|a|, floor)`.
    static func relativeDifference(_ a: [Float], _ b: [Float], floor: Float) -> Float {
        let scale = max(a.map(abs).max() ?? 0, floor)
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
    }

    private func time(world: any Communicator) throws {
        let batches = Self.batches(count: steps + 3, rows: batch, users: items, items: items, ragged: false)
        let (_, trainer) = try Self.trainer(tower: .mf, dim: dim, users: items, items: items, samplers: [.inBatch],
                                            optimizer: .adam, learningRate: 0.005, batch: batch, threads: threads,
                                            communicator: world)
        _ = try Self.train(trainer, Array(batches[0..<3]))
        try world.barrier()
        let communicationBefore = trainer.communicationSeconds
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try Self.train(trainer, Array(batches[3...]))
        try world.barrier()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let communication = try world.allReduceSum([trainer.communicationSeconds - communicationBefore])[0] / Double(world.size)
        let bytes = try world.allReduceSum([Int64(trainer.bytesSentLastStep)])[0] / Int64(world.size)
        if world.rank == 0 {
            print(String(format: "ranks=%d threads_per_rank=%d batch=%d dim=%d items=%d examples_per_second=%.0f step_ms=%.3f collectives_ms=%.3f bytes_sent_per_rank_per_step=%lld",
                         world.size, threads, batch, dim, items, Double(batch * steps) / seconds, seconds * 1e3 / Double(steps),
                         communication * 1e3 / Double(steps), bytes))
        }
    }
}
