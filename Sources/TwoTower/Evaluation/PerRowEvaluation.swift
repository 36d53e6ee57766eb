import TowerCore

extension Evaluation {
    /// **Merlin's per-row protocol** (`merlin/models/tf/metrics/topk.py`): every row `r` is one
    /// query `queries[r]` with exactly one relevant item `targets[r]`, ranked against **all**
    /// `I` items with no exclusion (a user with five positives is five rows). Ties are broken at
    /// random, seeded: the target's 1-based rank is `p = G + 1 + U{0…E}` with `G` items scoring
    /// strictly better (NaN scores rank last), `E` other items with an equal score, and `U` drawn
    /// from a generator seeded by `seed` and the row number (independent of threads). Merlin
    /// adds `U[0,1)·1e-6` noise to every score instead; that also reorders scores closer than
    /// 1e-6, which we do not.
    ///
    /// With one relevant item at rank p (Merlin's formulas with r = 1): Recall@k = HitRate@k =
    /// [p ≤ k], Precision@k = [p ≤ k]/k, MAP@k = MRR@k = [p ≤ k]/p, NDCG@k = [p ≤ k]/log2(p+1).
    /// Means over rows. No coverage or popularity percentile (no top-k lists are formed).
    ///
    /// - Throws: ``RetrievalError/kExceedsCandidates(k:candidates:)`` when any k > I (Merlin's
    ///   assertion), and ``RetrievalError`` for k < 1, shape and range errors.
    public static func perRow(queries: Matrix, items: Matrix, targets: [Int32], ks rawKs: [Int],
                              seed: UInt64, threads: Int? = nil) throws -> EvaluationResult {
        let ks = try normalisedKs(rawKs)
        let n = items.rows, d = items.columns, rowsCount = queries.rows
        guard n > 0 else { throw RetrievalError.emptyIndex }
        guard queries.columns == d else {
            throw RetrievalError.dimensionMismatch(what: "Evaluation.perRow queries", expected: d, found: queries.columns)
        }
        guard targets.count == rowsCount else {
            throw RetrievalError.countMismatch(what: "per-row targets", expected: rowsCount, found: targets.count)
        }
        if let (r, t) = targets.enumerated().first(where: { $0.element < 0 || Int($0.element) >= n }) {
            throw RetrievalError.itemOutOfRange(what: "target", list: r, item: t, items: n)
        }
        if ks.last! > n { throw RetrievalError.kExceedsCandidates(k: ks.last!, candidates: n) }
        var ranks = [Int](repeating: 0, count: rowsCount)
        let workers = max(1, threads ?? BruteForceIndex.defaultThreads(work: rowsCount * n * d))
        // Whole score rows, so the target's score is read from the same gemm output it is compared with.
        let blockRows = max(1, min(256, (1 << 22) / n))
        let blocks = (rowsCount + blockRows - 1) / blockRows
        let workerCount = min(workers, max(blocks, 1))
        let packedItems = PackedMatrix(packing: items, transpose: .transposed)  // packed once for every block
        ranks.withUnsafeMutableBufferPointer { rk in
            queries.withUnsafeBufferPointer { qp in
                targets.withUnsafeBufferPointer { tp in
                    let shared = SharedInputs(queries: qp.baseAddress!, items: packedItems)
                    let out = RankOutput(ranks: rk.baseAddress!, targets: tp.baseAddress!)
                    let work: @Sendable (Int) -> Void = { worker in
                        let scores = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * n)
                        defer { scores.deallocate() }
                        var block = worker
                        while block < blocks {
                            let r0 = block * blockRows, rn = min(blockRows, rowsCount - r0)
                            gemm(transA: .none, m: rn, columns: 0 ..< n, alpha: 1, a: shared.queries + r0 * d,
                                 lda: d, packedB: shared.items, beta: 0, c: scores, ldc: n, threads: 1)
                            for r in 0..<rn {
                                let row = scores + r * n
                                let t = row[Int(out.targets[r0 + r])]
                                var better = 0, equal = 0
                                if t.isNaN {
                                    for j in 0..<n { if row[j].isNaN { equal += 1 } else { better += 1 } }
                                } else {
                                    for j in 0..<n {
                                        let s = row[j]
                                        better += s > t ? 1 : 0
                                        equal += s == t ? 1 : 0
                                    }
                                }
                                var rng = Xoshiro256(seed: seed ^ (UInt64(r0 + r) &* 0x9E37_79B9_7F4A_7C15))
                                out.ranks[r0 + r] = better + 1 + Int.random(in: 0...(equal - 1), using: &rng)
                            }
                            block += workerCount
                        }
                    }
                    parallelFor(chunks: workerCount, threads: workerCount, work)  // one chunk per worker: each keeps its scratch
                }
            }
        }
        return perRowResult(ranks: ranks, ks: ks)
    }

    /// Per-row metrics from the target's 1-based rank in each row.
    static func perRowResult(ranks: [Int], ks: [Int]) -> EvaluationResult {
        var acc = MetricAccumulator(ks: ks, cappedRecall: true)
        let maxK = ks.last!
        for p in ranks {
            acc.add(listCount: min(p, maxK), relevant: 1) { $0 == p - 1 }
        }
        return EvaluationResult(evaluationProtocol: .perRow, ks: ks, evaluated: ranks.count, skipped: 0,
                                values: acc.means())
    }
}

/// Output pointers of the per-row ranks, written by workers at disjoint rows.
struct RankOutput: @unchecked Sendable {
    let ranks: UnsafeMutablePointer<Int>
    let targets: UnsafePointer<Int32>
}
