import Benchmark
import TowerCore
import TowerData
import TowerNN
import TwoTower

/// One full training step (`Trainer.step`) for MF d=64, B=1024, in-batch negatives, Adam, default
/// logQ (streaming), on a 50k-interaction synthetic log, after warm-up; and the step cut into its
/// parts (towers, scorer, optimizer) so that the malloc count can be attributed.
///
/// The gated metric is `mallocCountTotal` (static p90 thresholds in `Thresholds/`, checked with
/// `swift package benchmark thresholds check`); wall clock and throughput are reported only.
let benchmarks: @Sendable () -> Void = {
    let stepMetrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal]
    // Gate: mallocCountTotal only. The p90 limits live in Thresholds/*.p90.json (the count measured
    // on 2026-11-29 with a little slack); the tolerance below is how far a run may sit from that value
    // before `thresholds check` calls it a regression (above) or an improvement (below).
    func stepConfiguration(mallocTolerance: Int) -> Benchmark.Configuration {
        Benchmark.Configuration(
            metrics: stepMetrics, warmupIterations: 5, scalingFactor: .one, maxDuration: .seconds(4), maxIterations: 200,
            thresholds: [.mallocCountTotal: .init(absolute: [.p90: mallocTolerance])])
    }
    let partConfiguration = Benchmark.Configuration(
        metrics: stepMetrics, warmupIterations: 5, scalingFactor: .one,
        maxDuration: .seconds(3), maxIterations: 200)

    // The gated benchmarks: the whole step, with gemm's own thread choice (2 threads at this size)
    // and with every gemm on the calling thread.
    for threads in [nil, 1] as [Int?] {
        let name = "TrainerStep_MF_d64_B1024_inbatch_adam" + (threads == 1 ? "_threads1" : "")
        let fixture = StepFixture(threads: threads)
        Benchmark(name, configuration: stepConfiguration(mallocTolerance: threads == 1 ? 0 : 1)) { benchmark in
            for _ in benchmark.scaledIterations { try fixture.step() }
        } setup: {
            try fixture.prepare()
        }
    }

    // The step cut into parts (gemm's own thread choice). Each part repeats one stage of a step on
    // the state a warmed-up trainer left, so the parts add up to roughly one step.
    let parts = StepFixture(threads: nil)
    let setup: Benchmark.BenchmarkSetupHook = { try parts.prepare() }
    Benchmark("StepPart_1_towerForward", configuration: partConfiguration, closure: { benchmark in
        for _ in benchmark.scaledIterations { parts.towerForward() }
    }, setup: setup)
    Benchmark("StepPart_2a_embeddingWithMetadata", configuration: partConfiguration, closure: { benchmark in
        for _ in benchmark.scaledIterations { try parts.makeBatch() }
    }, setup: setup)
    Benchmark("StepPart_2b_scorerForward", configuration: partConfiguration, closure: { benchmark in
        for _ in benchmark.scaledIterations { try parts.scorerForward() }
    }, setup: setup)
    Benchmark("StepPart_2c_scorerLossAndBackward", configuration: partConfiguration, closure: { benchmark in
        for _ in benchmark.scaledIterations { try parts.scorerLossAndBackward() }
    }, setup: setup)
    Benchmark("StepPart_3_towerBackward", configuration: partConfiguration, closure: { benchmark in
        for _ in benchmark.scaledIterations { parts.towerBackward() }
    }, setup: setup)
    Benchmark("StepPart_4_adamStep", configuration: partConfiguration, closure: { benchmark in
        for _ in benchmark.scaledIterations { parts.optimizerStep() }
    }, setup: setup)
    Benchmark("BatchIterator_next_B1024", configuration: partConfiguration, closure: { benchmark in
        for _ in benchmark.scaledIterations { parts.nextBatch() }
    }, setup: setup)
}
