import ArgumentParser
import Foundation
import TowerCore
import TowerFormats
import TowerWorkflows
import TwoTower

/// `twotower-bench step`: one training step of scorer + loss (forward, fused softmax-CE, backward)
/// against the same GEMM calls alone, measured in the same run.
///
/// Cases (B = 1024, d = 64 by default): in-batch negatives (N = B), and in-batch + a full
/// 4096-row cross-batch cache (N = B + 4096; the cache's rows cost a forward and a dQ GEMM but no
/// dN GEMM). Each figure is the best of `--repeats` runs after warm-up; `ratio = step_ms / gemm_ms`
/// (target ≤ 1.5). `loss_ms` times the fused softmax-CE pass alone on logits of the same shape.
/// Runs of the three measurements are interleaved so that a change of machine load hits all alike.
struct StepBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step", abstract: "Time one scorer + loss step against its GEMMs alone.")

    @Flag(help: "Print one JSON object per line per case (case, step_ms, gemm_ms, ratio, …).")
    var json = false
    @Option(help: "Batch size B.") var batch = 1024
    @Option(help: "Embedding dimension d.") var dim = 64
    @Option(help: "Cross-batch cache capacity of the second case.") var cache = 4096
    @Option(help: "Timed runs per measurement (the best is kept).") var repeats = 5
    @Option(help: "gemm threads (default: gemm's choice).") var threads: Int?

    struct CaseResult {
        var name: String
        var negatives: Int
        var flops: Double
        var stepMs: Double
        var gemmMs: Double
        var lossMs: Double
        var loss: Float
    }

    func run() throws {
        guard batch >= 1, dim >= 1, cache >= 1, repeats >= 1 else {
            throw ValidationError("step: --batch, --dim, --cache and --repeats must be >= 1")
        }
        var results: [CaseResult] = []
        results.append(try measure(name: "in-batch", withCache: false))
        results.append(try measure(name: "in-batch+cross-batch-\(cache)", withCache: true))
        if json {
            let objects = results.map { r in
                String(format: "{\"case\": \"%@\", \"step_ms\": %.4f, \"gemm_ms\": %.4f, \"ratio\": %.4f, \"loss_ms\": %.4f, \"batch\": %d, \"dim\": %d, \"negatives\": %d, \"step_gflops\": %.3f, \"gemm_gflops\": %.3f}",
                       r.name, r.stepMs, r.gemmMs, r.stepMs / r.gemmMs, r.lossMs, batch, dim, r.negatives,
                       r.flops / r.stepMs / 1e6, r.flops / r.gemmMs / 1e6)
            }
            for object in objects { print(object) }
        } else {
            print("twotower-bench step: B=\(batch) d=\(dim), best of \(repeats)")
            for r in results {
                print(String(format: "%@  N=%d  step %.3f ms (%.2f GFLOPS)  gemm %.3f ms (%.2f GFLOPS)  ratio %.3f  (fused loss pass alone %.3f ms; loss %.3f)",
                             r.name, r.negatives, r.stepMs, r.flops / r.stepMs / 1e6, r.gemmMs, r.flops / r.gemmMs / 1e6,
                             r.stepMs / r.gemmMs, r.lossMs, r.loss))
            }
        }
    }

    private func randomMatrix(_ rows: Int, _ cols: Int, _ rng: inout Xoshiro256) -> Matrix {
        Matrix(rows: rows, columns: cols, values: (0..<(rows * cols)).map { _ in Float.random(in: -0.5..<0.5, using: &rng) })
    }

    private func milliseconds(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15
    }

    private func measure(name: String, withCache: Bool) throws -> CaseResult {
        var rng = Xoshiro256(seed: 42)
        let b = batch, d = dim
        var samplers: [any ItemSampler] = [InBatchSampler()]
        if withCache { samplers.append(CachedCrossBatchSampler(capacity: cache)) }
        let scorer = ItemRetrievalScorer(samplers: samplers, logitsTemperature: 0.1, threads: threads)
        let q = randomMatrix(b, d, &rng), i = randomMatrix(b, d, &rng)
        var ids: [Int] = []
        var loss: Float = 0
        func step() throws {
            ids.removeAll(keepingCapacity: true)
            for _ in 0..<b { ids.append(Int(rng.next(upperBound: UInt64(1_000_000)))) }
            let scores = try scorer(query: q, items: EmbeddingWithMetadata(embeddings: i, metadata: ["item_id": ids]), training: true)
            loss = scorer.lossAndGradient(scores)
            let grads = scorer.backward()
            precondition(grads.query.rows == b)
        }
        // Warm up until the cache is full (and buffers have their final size).
        let warmup = withCache ? (cache + b - 1) / b + 1 : 2
        for _ in 0..<warmup { try step() }

        // The same GEMMs alone: forward per segment, dQ per segment, dN for the in-batch segment.
        let cached = withCache ? cache : 0
        let n = b + cached, ldz = 1 + n
        let negatives = withCache ? randomMatrix(cached, d, &rng) : Matrix(rows: 0, columns: d)
        var z = Matrix(rows: b, columns: ldz), g = randomMatrix(b, ldz, &rng)
        var dq = Matrix(rows: b, columns: d), di = Matrix(rows: b, columns: d)
        func gemms() {
            z.withUnsafeMutableBufferPointer { zp in
                q.withUnsafeBufferPointer { qp in
                    i.withUnsafeBufferPointer { ip in
                        negatives.withUnsafeBufferPointer { np in
                            g.withUnsafeBufferPointer { gp in
                                dq.withUnsafeMutableBufferPointer { dqp in
                                    di.withUnsafeMutableBufferPointer { dip in
                                        let segs: [(UnsafePointer<Float>?, Int, Int)] = [(ip.baseAddress, 0, b)] + (cached > 0 ? [(np.baseAddress, b, cached)] : [])
                                        for (e, off, cnt) in segs {
                                            gemm(transA: .none, transB: .transposed, m: b, n: cnt, k: d, alpha: 10, a: qp.baseAddress, lda: d,
                                                 b: e, ldb: d, beta: 0, c: zp.baseAddress! + 1 + off, ldc: ldz, threads: threads)
                                        }
                                        for (e, off, cnt) in segs {
                                            gemm(transA: .none, transB: .none, m: b, n: d, k: cnt, alpha: 10, a: gp.baseAddress! + 1 + off, lda: ldz,
                                                 b: e, ldb: d, beta: 1, c: dqp.baseAddress, ldc: d, threads: threads)
                                        }
                                        gemm(transA: .transposed, transB: .none, m: b, n: d, k: b, alpha: 10, a: gp.baseAddress! + 1, lda: ldz,
                                             b: qp.baseAddress, ldb: d, beta: 1, c: dip.baseAddress, ldc: d, threads: threads)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        gemms()
        // The fused loss pass alone on logits of the same shape.
        var lossLogits = randomMatrix(b, ldz, &rng), lossGradient = Matrix(rows: b, columns: ldz)
        for k in 0..<lossLogits.count { lossLogits.storage[k] *= 20 }
        // Interleaved, so a change of machine load hits all three alike.
        let clock = ContinuousClock()
        var bestStep = Double.infinity, bestGemm = Double.infinity, bestLoss = Double.infinity
        for _ in 0..<repeats {
            bestStep = min(bestStep, milliseconds(clock.measure { try? step() }))
            bestGemm = min(bestGemm, milliseconds(clock.measure { gemms() }))
            bestLoss = min(bestLoss, milliseconds(clock.measure {
                _ = RetrievalLoss.softmaxCrossEntropy.lossAndGradient(logits: lossLogits, into: &lossGradient)
            }))
        }
        let flops = 2.0 * Double(b) * Double(d) * Double(n + n + b)
        return CaseResult(name: name, negatives: n, flops: flops, stepMs: bestStep, gemmMs: bestGemm, lossMs: bestLoss, loss: loss)
    }
}
