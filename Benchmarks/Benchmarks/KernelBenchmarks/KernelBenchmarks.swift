import Benchmark
import TowerCore
import TowerNN
import TwoTower

/// Kernel-level benchmarks (reported, not gated): gemm, embedding gather / scatter-add, corpus
/// samplers and exact top-k retrieval. Each also reports its malloc count.
let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal]
    let configuration = Benchmark.Configuration(
        metrics: metrics, warmupIterations: 3, scalingFactor: .one, maxDuration: .seconds(3), maxIterations: 1_000)

    // 1. gemm: logits-shaped product C[B,B] = A[B,d] · Bᵀ[d,B], B = 1024 (2·B²·d FLOPs per call).
    let b = 1024
    for d in [32, 64, 128] {
        for threads in [nil, 1] as [Int?] {
            let name = "gemm_B\(b)xd\(d)xB\(b)_NT" + (threads == 1 ? "_threads1" : "")
            let lhs = randomMatrix(rows: b, columns: d, seed: 1)
            let rhs = randomMatrix(rows: b, columns: d, seed: 2)
            var out = Matrix(rows: b, columns: b)
            Benchmark(name, configuration: configuration) { benchmark in
                for _ in benchmark.scaledIterations {
                    gemm(.none, .transposed, lhs, rhs, into: &out, threads: threads)
                }
                blackHole(out[0, 0])
            }
        }
    }

    // 2. Embedding gather (forward) and scatter-add into the sparse gradient (backward):
    //    1024 ids (with repeats, Zipf-like) into a 100k × 64 table.
    let table = Embedding(vocabularySize: 100_000, dimensions: 64, seed: 3)
    var rng = Xoshiro256(seed: 4)
    let ids: [Int32] = (0..<1024).map { _ in
        // u³ · 100k, u uniform: skewed towards low ids, so popular rows repeat as in real batches.
        let u = Double(rng.next() >> 11) * 0x1p-53
        return Int32(u * u * u * 100_000)
    }
    let dy = randomMatrix(rows: 1024, columns: 64, seed: 5)
    Benchmark("embedding_gather_B1024_d64", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(table.forward(ids: ids).rows) }
    }
    Benchmark("embedding_scatterAdd_B1024_d64", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { table.backward(dy) }
    } setup: {
        _ = table.forward(ids: ids)
    }

    // 3. Corpus samplers: 1024 distinct ids out of 100k per draw.
    let popularity = PopularityBasedSampler(maxId: 100_000, maxNumSamples: 1024, seed: 6)
    let uniform = UniformCorpusSampler(maxId: 100_000, maxNumSamples: 1024, seed: 7)
    Benchmark("sampler_popularity_1024_of_100k", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(popularity.sampleIds().count) }
    }
    Benchmark("sampler_uniform_1024_of_100k", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(uniform.sampleIds().count) }
    }

    // 5. Exact top-100 over 100k items (d = 64) for 256 queries.
    let topKConfiguration = Benchmark.Configuration(
        metrics: metrics, warmupIterations: 1, scalingFactor: .one, maxDuration: .seconds(5), maxIterations: 50)
    for threads in [nil, 1] as [Int?] {
        let name = "bruteForce_top100_256q_x_100k_d64" + (threads == 1 ? "_threads1" : "")
        nonisolated(unsafe) var index: BruteForceIndex? = nil
        nonisolated(unsafe) var queries = Matrix(rows: 0, columns: 0)
        Benchmark(name, configuration: topKConfiguration) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try index!.search(queries: queries, k: 100, threads: threads).counts.count)
            }
        } setup: {
            if index == nil {
                index = try BruteForceIndex(items: randomMatrix(rows: 100_000, columns: 64, seed: 8))
                queries = randomMatrix(rows: 256, columns: 64, seed: 9)
            }
        }
    }
}

/// `[rows, columns]` uniform in [-1, 1), from a seeded `Xoshiro256`.
func randomMatrix(rows: Int, columns: Int, seed: UInt64) -> Matrix {
    var rng = Xoshiro256(seed: seed)
    var m = Matrix(rows: rows, columns: columns)
    m.withUnsafeMutableBufferPointer { p in
        for i in 0..<p.count { p[i] = Float(rng.next() >> 40) * 0x1p-24 * 2 - 1 }
    }
    return m
}
