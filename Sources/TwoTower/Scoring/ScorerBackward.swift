import TowerCore

extension ItemRetrievalScorer {
    /// Back-propagates `∂L/∂logits` through the logits of `scores`.
    ///
    /// With `G = ∂L/∂logits` (false-negative cells zeroed in place: their logit is a constant) and
    /// `s` the scale of the dot products (`1/T`):
    /// `dQ = s·(G[:,0] ⊙ I + Σ_seg G_seg·N_seg)`, `dI = s·G[:,0] ⊙ Q`, and for every live block
    /// `dItems[rows] += s·G_segᵀ·Q`; detached blocks get nothing.
    /// - Parameters:
    ///   - scores: the result of ``trainingScores(query:items:positiveIds:negatives:)``. Pass it with
    ///     `consume`: its references to the towers' outputs and the caches' rows are released here,
    ///     so their buffers are written in place at the next step.
    ///   - logitsGradient: `[B, 1+N]`, like `scores.logits`.
    /// - Returns: `query` `[B, d]` and `items` `[R, d]` (rows of the forward's item matrix), in the
    ///   scorer's reusable buffers: release them before the next backward call to avoid a copy.
    public func backward(_ scores: consuming ItemRetrievalScores, logitsGradient: inout Matrix) -> ScorerGradients {
        let b = scores.logits.rows, ldz = scores.logits.columns, d = scores.query.columns, scale = scores.scale
        precondition(logitsGradient.rows == b && logitsGradient.columns == ldz && scores.query.rows == b,
                     "ItemRetrievalScorer.backward: gradient is \(logitsGradient.rows)×\(logitsGradient.columns), logits are \(b)×\(ldz) (a training forward's)")
        let rows = scores.items.rows
        queryGradient.reshape(rows: b, columns: d)
        itemGradient.reshape(rows: rows, columns: d)
        let fnRowStart = scores.falseNegativeRowStart, fnColumns = scores.falseNegativeColumns
        logitsGradient.withUnsafeMutableBufferPointer { gb in
            let g = gb.baseAddress!
            // False negatives carry no gradient.
            fnColumns.withUnsafeBufferPointer { fc in
                for r in 0..<(fnRowStart.isEmpty ? 0 : b) {
                    for h in Int(fnRowStart[r]) ..< Int(fnRowStart[r + 1]) { g[r * ldz + 1 + Int(fc[h])] = 0 }
                }
            }
            // Positive column: dQ_b = s·g_b0·I_b, dI_b = s·g_b0·Q_b; rows after the positives start at 0.
            queryGradient.withUnsafeMutableBufferPointer { dq in
                itemGradient.withUnsafeMutableBufferPointer { di in
                    scores.query.withUnsafeBufferPointer { q in
                        scores.items.withUnsafeBufferPointer { i in
                            for r in 0..<b {
                                let k = scale * g[r * ldz]
                                let o = r * d
                                for c in 0..<d {
                                    dq[o + c] = k * i[o + c]
                                    di[o + c] = k * q[o + c]
                                }
                            }
                        }
                    }
                    if rows > b { (di.baseAddress! + b * d).update(repeating: 0, count: (rows - b) * d) }
                }
            }
            for seg in scores.scoredSegments {
                let n = seg.info.count, gSeg = UnsafePointer(g + 1 + seg.info.offset)
                seg.embeddings.withUnsafeBufferPointer { e in
                    queryGradient.withUnsafeMutableBufferPointer { dq in
                        gemm(transA: .none, transB: .none, m: b, n: d, k: n, alpha: scale,
                             a: gSeg, lda: ldz, b: e.baseAddress! + seg.firstRow * d, ldb: d, beta: 1,
                             c: dq.baseAddress, ldc: d, threads: threads)
                    }
                }
                guard seg.live else { continue }
                scores.query.withUnsafeBufferPointer { q in
                    itemGradient.withUnsafeMutableBufferPointer { di in
                        gemm(transA: .transposed, transB: .none, m: n, n: d, k: b, alpha: scale,
                             a: gSeg, lda: ldz, b: q.baseAddress, ldb: d, beta: 1,
                             c: di.baseAddress! + seg.firstRow * d, ldc: d, threads: threads)
                    }
                }
            }
        }
        // Release the forward's references, then recycle the segment storage without reallocating.
        scores.scoredSegments = []
        segments.removeAll(keepingCapacity: true)
        return ScorerGradients(query: queryGradient, items: itemGradient, sampledNegatives: [])
    }
}
