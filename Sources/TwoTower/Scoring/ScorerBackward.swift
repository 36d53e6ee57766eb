import TowerCore

extension ItemRetrievalScorer {
    /// The fused loss pass over `scores.logits`: returns the loss and keeps `∂L/∂logits` inside the
    /// scorer for ``backward()``.
    /// - Parameters:
    ///   - scores: the result of the last training forward.
    ///   - loss: softmax cross-entropy (default) or BPR, see ``RetrievalLoss``.
    ///   - sampleWeights: `B` per-row weights (YouTube's reward `r_i`), or `nil` for 1.
    public func lossAndGradient(_ scores: ItemRetrievalScores, loss: RetrievalLoss = .softmaxCrossEntropy,
                                sampleWeights: [Float]? = nil) -> Float {
        precondition(context != nil, "ItemRetrievalScorer.lossAndGradient: no training forward to take the loss of")
        return loss.lossAndGradient(logits: scores.logits, sampleWeights: sampleWeights, into: &logitsGradient,
                                    threads: threads)
    }

    /// Back-propagates the gradient stored by ``lossAndGradient(_:loss:sampleWeights:)``.
    public func backward() -> ScorerGradients {
        precondition(logitsGradient.rows == logits.rows && logitsGradient.columns == logits.columns,
                     "ItemRetrievalScorer.backward: call lossAndGradient first (gradient \(logitsGradient.rows)×\(logitsGradient.columns), logits \(logits.rows)×\(logits.columns))")
        return backwardCore()
    }

    /// Back-propagates a caller-computed `∂L/∂logits`, `[B, 1+N]` like the last training logits.
    public func backward(logitsGradient gradient: Matrix) -> ScorerGradients {
        precondition(gradient.rows == logits.rows && gradient.columns == logits.columns,
                     "ItemRetrievalScorer.backward: gradient is \(gradient.rows)×\(gradient.columns), logits are \(logits.rows)×\(logits.columns)")
        logitsGradient = gradient
        return backwardCore()
    }

    /// With `G = ∂L/∂logits` (false-negative cells zeroed: their logit is a constant) and `s` the
    /// scale of the dot products (`1/T`):
    /// `dQ = s·(G[:,0] ⊙ I + Σ_seg G_seg·N_seg)`, `dI = s·G[:,0] ⊙ Q (+ s·G_inbatchᵀ·Q)`,
    /// `dN_seg = s·G_segᵀ·Q` for sampled segments; cached segments get nothing.
    private func backwardCore() -> ScorerGradients {
        guard let ctx = context else { preconditionFailure("ItemRetrievalScorer.backward: no training forward to differentiate") }
        let b = logits.rows, ldz = logits.columns, d = ctx.query.columns, scale = ctx.scale
        queryGradient.reshape(rows: b, columns: d)
        itemGradient.reshape(rows: b, columns: d)
        logitsGradient.withUnsafeMutableBufferPointer { gb in
            let g = gb.baseAddress!
            // False negatives carry no gradient.
            fnColumns.withUnsafeBufferPointer { fc in
                for r in 0..<(fnRowStart.isEmpty ? 0 : b) {
                    for h in Int(fnRowStart[r]) ..< Int(fnRowStart[r + 1]) { g[r * ldz + 1 + Int(fc[h])] = 0 }
                }
            }
            // Positive column: dQ_b = s·g_b0·I_b, dI_b = s·g_b0·Q_b.
            queryGradient.withUnsafeMutableBufferPointer { dq in
                itemGradient.withUnsafeMutableBufferPointer { di in
                    ctx.query.withUnsafeBufferPointer { q in
                        ctx.items.withUnsafeBufferPointer { i in
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
                }
            }
            for seg in ctx.segments {
                let n = seg.info.count, gSeg = UnsafePointer(g + 1 + seg.info.offset)
                seg.embeddings.withUnsafeBufferPointer { e in
                    queryGradient.withUnsafeMutableBufferPointer { dq in
                        gemm(transA: .none, transB: .none, m: b, n: d, k: n, alpha: scale,
                             a: gSeg, lda: ldz, b: e.baseAddress, ldb: d, beta: 1,
                             c: dq.baseAddress, ldc: d, threads: threads)
                    }
                }
                switch seg.info.gradientFlow {
                case .none:
                    break
                case .batchItems:
                    ctx.query.withUnsafeBufferPointer { q in
                        itemGradient.withUnsafeMutableBufferPointer { di in
                            gemm(transA: .transposed, transB: .none, m: n, n: d, k: b, alpha: scale,
                                 a: gSeg, lda: ldz, b: q.baseAddress, ldb: d, beta: 1,
                                 c: di.baseAddress, ldc: d, threads: threads)
                        }
                    }
                case .sampledItems:
                    let k = seg.info.samplerIndex
                    sampledGradients[k].reshape(rows: n, columns: d)
                    ctx.query.withUnsafeBufferPointer { q in
                        sampledGradients[k].withUnsafeMutableBufferPointer { dn in
                            gemm(transA: .transposed, transB: .none, m: n, n: d, k: b, alpha: scale,
                                 a: gSeg, lda: ldz, b: q.baseAddress, ldb: d, beta: 0,
                                 c: dn.baseAddress, ldc: d, threads: threads)
                        }
                    }
                }
            }
        }
        var sampled: [SampledNegativeGradient] = []
        for seg in ctx.segments where seg.info.gradientFlow == .sampledItems {
            sampled.append(SampledNegativeGradient(samplerIndex: seg.info.samplerIndex, ids: seg.ids,
                                                   embeddings: sampledGradients[seg.info.samplerIndex]))
        }
        return ScorerGradients(query: queryGradient, items: itemGradient, sampledNegatives: sampled)
    }
}
