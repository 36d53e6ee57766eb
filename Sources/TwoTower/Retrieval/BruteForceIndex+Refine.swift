import TowerCore

extension BruteForceIndex {
    /// The bfloat16 search of ``ScoringPrecision/bfloat16(refine:)``: the best `candidates`
    /// (≥ `k`) items of each query by bfloat16 score, re-scored in float32 — the same `gemm`
    /// kernel as the float32 index, so the scores equal its scores bit for bit — and re-ranked
    /// (`TopKOrder`); the first `k` are the result. Inputs validated, `k ≤ candidates ≤ count`.
    func refinedSearch(queries: Matrix, k: Int, candidates: Int, excluding: IndexLists?, threads: Int?) -> TopKResult {
        let q = queries.rows, d = dimension, c = candidates
        let (candidateRows, _, candidateCounts) = select(queries: queries, k: c, excluding: excluding, threads: threads)
        var rows = [Int32](repeating: -1, count: q * k)
        var scores = [Float](repeating: -.infinity, count: q * k)
        var counts = [Int](repeating: 0, count: q)
        var gathered = [Float](repeating: 0, count: c * d)
        var exact = [Float](repeating: 0, count: c)
        var order = [Int](repeating: 0, count: c)
        items.withUnsafeBufferPointer { itemValues in
            queries.withUnsafeBufferPointer { queryValues in
                for r in 0..<q {
                    let n = candidateCounts[r]
                    guard n > 0 else { continue }
                    let found = candidateRows[(r * c)..<(r * c + n)]
                    gathered.withUnsafeMutableBufferPointer { g in
                        for (j, row) in found.enumerated() {
                            let from = itemValues.baseAddress! + Int(row) * d
                            (g.baseAddress! + j * d).update(from: from, count: d)
                        }
                        exact.withUnsafeMutableBufferPointer { e in
                            gemm(transA: .none, transB: .transposed, m: 1, n: n, k: d, alpha: 1,
                                 a: queryValues.baseAddress! + r * d, lda: d, b: g.baseAddress!, ldb: d,
                                 beta: 0, c: e.baseAddress!, ldc: n, threads: 1, kernel: .native)
                        }
                    }
                    let base = r * c
                    for j in 0..<n { order[j] = j }
                    order[0..<n].sort { a, b in
                        TopKOrder.ranksBefore(exact[a], candidateRows[base + a], exact[b], candidateRows[base + b])
                    }
                    let kept = Swift.min(k, n)
                    for j in 0..<kept {
                        rows[r * k + j] = candidateRows[base + order[j]]
                        scores[r * k + j] = exact[order[j]]
                    }
                    counts[r] = kept
                }
            }
        }
        return result(queries: q, k: k, rows: rows, scores: scores, counts: counts)
    }
}
