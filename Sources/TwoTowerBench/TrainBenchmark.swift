import ArgumentParser
import Foundation
import TowerCore
import TowerData
import TowerFormats
import TowerWorkflows
import TwoTower

/// `twotower-bench train`: steady-state training throughput of the whole step (towers, samplers,
/// scorer + loss, backward, optimizer) on the synthetic dataset, beside the FLOP limit measured
/// in the same run: the step's matrix products alone at the GEMM speed of this machine.
struct TrainBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training examples/s for MF and MLP towers (B=1024, d=64, in-batch, Adam) and MF cosine with in-batch + 2,048 uniform negatives, on synthetic data.")

    @Flag(help: "One JSON object per line per config (config, examples_per_second, ...).")
    var json = false
    @Option(help: "Synthetic interactions.") var interactions = 1_000_000
    @Option(help: "Batch size.") var batch = 1024
    @Option(help: "Output dimension.") var dim = 64
    @Option(help: "Timed steps per config (after warm-up steps).") var steps = 300
    @Option(help: "Warm-up steps.") var warmup = 30
    @Option(help: "Threads (default: by problem size).") var threads: Int?

    struct Config {
        var name: String
        var model: ModelConfiguration
        /// Corpus negatives drawn per step beside the in-batch ones.
        var uniformNegatives = 0
    }

    func validate() throws {
        for (flag, value) in [("--interactions", interactions), ("--batch", batch), ("--dim", dim), ("--steps", steps)] where value < 1 {
            throw ValidationError("\(flag) must be positive, found \(value)\(flag == "--steps" ? " (the timed steps give the loss and the rate)" : "")")
        }
        guard warmup >= 0 else { throw ValidationError("--warmup must be at least 0, found \(warmup)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, found \(threads)") }
        // The generator gives every user at least 5 distinct items.
        guard interactions >= 5 * max(100, interactions / 50) else {
            throw ValidationError("--interactions must be at least 500 (100 synthetic users with 5 interactions each), found \(interactions)")
        }
    }

    func run() throws {
        let users = max(100, interactions / 50), items = max(100, interactions / 100)
        let data = SyntheticDataset.generate(SyntheticConfiguration(users: users, items: items, interactions: interactions))
        let log = data.log.orderedByFrequency()
        let counts = log.rowCounts().items
        var mf = ModelConfiguration()
        mf.dimensions = dim
        var mlp = ModelConfiguration()
        mlp.tower = .mlp
        mlp.dimensions = dim
        mlp.embeddingDimensions = dim
        mlp.hiddenLayers = [128]
        var cosine = mf
        cosine.l2Normalize = true
        let configs = [Config(name: "mf-d\(dim)-b\(batch)-in-batch-adam", model: mf),
                       Config(name: "mlp-\(dim)-128-\(dim)-b\(batch)-in-batch-adam", model: mlp),
                       Config(name: "mf-cosine-d\(dim)-b\(batch)-in-batch+uniform:2048-adam", model: cosine, uniformNegatives: 2048)]
        let gemmGflops = measureGemm()
        if !json {
            print("twotower-bench train: \(log.count) interactions, \(users) users, \(items) items; gemm \(String(format: "%.1f", gemmGflops)) GFLOPS (\(GemmKernel.nativeName))")
        }
        for config in configs {
            var training = TrainingConfiguration()
            training.batchSize = batch
            if config.uniformNegatives > 0 {
                training.samplers = [.inBatch, .uniform(count: min(config.uniformNegatives, log.itemCount))]
                training.temperature = 0.1
            }
            let model = TwoTowerModel(configuration: config.model, userCount: log.userCount, itemCount: log.itemCount, seed: 1)
            let trainer = try Trainer(model: model, configuration: training, itemCounts: counts, threads: threads)
            let batches = BatchIterator(log: log, batchSize: batch, dropLast: true, seed: 1)
            var epoch = 0
            batches.startEpoch(epoch)
            func oneStep() throws {
                if let b = batches.next() {
                    try trainer.step(users: b.users, items: b.items)
                } else {
                    epoch += 1
                    batches.startEpoch(epoch)
                    try oneStep()
                }
            }
            for _ in 0..<warmup { try oneStep() }
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { try oneStep() }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let rate = Double(steps * batch) / seconds
            // FLOPs per example of the step's matrix products: logits forward 2·N·d, dQ and dN
            // 4·N·d (N = B in-batch + the uniform draws), and for MLP towers 3 × 2·(in·out) per
            // layer per tower (forward + 2 backward).
            var flops = 6.0 * Double((batch + config.uniformNegatives) * dim)
            if config.model.tower == .mlp {
                var width = dim
                for h in config.model.hiddenLayers + [dim] { flops += 2 * 6.0 * Double(width * h); width = h }
            }
            let limit = gemmGflops * 1e9 / flops
            if json {
                print(String(format: "{\"config\": \"%@\", \"examples_per_second\": %.0f, \"seconds\": %.3f, \"steps\": %d, \"flop_limit_examples_per_second\": %.0f, \"fraction_of_flop_limit\": %.3f, \"gemm_gflops\": %.1f}",
                             config.name, rate, seconds, steps, limit, rate / limit, gemmGflops))
            } else {
                print(String(format: "%@: %.0f examples/s (%d steps in %.2fs); FLOP limit %.0f examples/s → %.0f%%; final loss %.3f",
                             config.name, rate, steps, seconds, limit, 100 * rate / limit, trainer.lastLoss))
            }
        }
    }

    /// GFLOPS of the logits product `[B,d]·[d,B]` on this machine now (best of 20).
    private func measureGemm() -> Double {
        var rng = Xoshiro256(seed: 3)
        let a = Matrix(rows: batch, columns: dim, values: (0..<(batch * dim)).map { _ in Float.random(in: -1..<1, using: &rng) })
        var c = Matrix(rows: batch, columns: batch)
        var best = Double.infinity
        for _ in 0..<20 {
            let start = DispatchTime.now().uptimeNanoseconds
            gemm(.none, .transposed, a, a, into: &c, threads: threads)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return 2.0 * Double(batch * batch * dim) / best / 1e9
    }
}
