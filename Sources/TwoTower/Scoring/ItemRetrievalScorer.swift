import TowerCore

/// Scores queries against their positive items and the negatives of a list of samplers
/// (Merlin's `ItemRetrievalScorer`), and back-propagates a loss over those logits.
///
/// **Training logits** `[B, 1+N]`, in this order (Merlin's):
/// 1. dot products — column 0 `q_b·i_b`, columns `1…N` `Q·Nᵀ` (one GEMM per sampler segment);
/// 2. false-negative rescoring — a negative whose id equals the row's positive id gets
///    `falseNegativeScore` (−655.04, as Merlin; the column stays);
/// 3. logQ — `− r·log(q + 1e-16)` per column, positive included (``LogQCorrection``);
/// 4. temperature — divide by `logitsTemperature`, after logQ (Merlin) or before it (TFRS),
///    see ``TemperatureOrder``.
/// **Inference** (`training: false`): `[B, 1]` raw dot products; samplers are not called.
///
/// **One training step** (the trainer's call sequence):
/// ```swift
/// // 0. Corpus samplers only: draw ids, embed them with the item tower, hand them over.
/// let ids = uniform.sampleIds(); try uniform.provideEmbeddings(itemTower.forward(ids))
/// // 1. Forward: Q [B,d], I [B,d] from the towers; items carries "item_id".
/// let scores = try scorer(query: Q, items: EmbeddingWithMetadata(embeddings: I, metadata: ["item_id": ids]), training: true)
/// // 2. Fused loss + dL/dlogits (kept inside the scorer).
/// let loss = scorer.lossAndGradient(scores, sampleWeights: nil)
/// // 3. Gradients w.r.t. the query, the positives (+ in-batch negatives) and sampled negatives.
/// let grads = scorer.backward()
/// queryTower.backward(grads.query); itemTower.backward(grads.items)
/// for s in grads.sampledNegatives { itemTower.backward(s.embeddings, ids: s.ids) }
/// ```
/// Cached negatives (``CachedCrossBatchSampler``, ``CachedUniformSampler``) get no gradient and
/// cost no backward GEMM. A custom loss may call ``backward(logitsGradient:)`` instead of 2–3.
///
/// **Cost and allocation.** Forward: one `B×n×d` GEMM per segment plus one vectorised pass over the
/// logits; backward: `dQ = dL·N` per segment and `dN = dLᵀ·Q` per live segment. Logits, gradient,
/// id and false-negative buffers grow to the largest batch seen and are reused afterwards: in
/// steady state a step allocates nothing as long as the caller releases the previous step's
/// ``ItemRetrievalScores``/``ScorerGradients`` (locals of the step function do) — except the small
/// arrays of segment records and the samplers' metadata dictionaries.
public final class ItemRetrievalScorer {
    public let samplers: [any ItemSampler]
    public let downscoreFalseNegatives: Bool
    public let falseNegativeScore: Float
    public let itemIdFeatureName: String
    public let logitsTemperature: Float
    public let logQCorrection: LogQCorrection
    public let temperatureOrder: TemperatureOrder
    /// `threads` passed to every `gemm` call (`nil`: gemm's choice).
    public let threads: Int?

    // Workspaces, reused across steps.
    var logits = Matrix(rows: 0, columns: 0)
    var logitsGradient = Matrix(rows: 0, columns: 0)
    var queryGradient = Matrix(rows: 0, columns: 0)
    var itemGradient = Matrix(rows: 0, columns: 0)
    var sampledGradients: [Matrix]
    var negativeIds: [Int] = []
    var columnBias: [Float] = []
    var rowBias: [Float] = []
    var probabilities: [Float] = []
    var fnRowStart: [Int32] = []
    var fnColumns: [Int32] = []
    var fnIndex = FalseNegativeIndex()
    // Context of the last training forward, read by backward.
    var context: ForwardContext?
    // Reused storage of the per-step segment records (no allocation per step).
    var segmentBuffer: [Segment] = []
    var segmentInfo: [NegativeSegment] = []

    struct Segment {
        var info: NegativeSegment
        var embeddings: Matrix
        var ids: [Int]
    }

    struct ForwardContext {
        var query: Matrix
        var items: Matrix
        var segments: [Segment]
        var scale: Float
    }

    /// - Parameters:
    ///   - samplers: negative samplers, called in order; their negatives are concatenated.
    ///   - downscoreFalseNegatives: rescore accidental hits (needs item ids on the batch and on
    ///     every sampler's output).
    ///   - falseNegativeScore: the score given to an accidental hit (Merlin's `MIN_FLOAT`, −655.04).
    ///   - itemIdFeatureName: metadata feature holding item ids.
    ///   - logitsTemperature: `T > 0`, training only.
    ///   - logQCorrection: source of sampling probabilities, training only.
    ///   - temperatureOrder: Merlin's `(s − log q)/T` (default) or TFRS's `s/T − log q`.
    public init(samplers: [any ItemSampler], downscoreFalseNegatives: Bool = true,
                falseNegativeScore: Float = -655.04, itemIdFeatureName: String = "item_id",
                logitsTemperature: Float = 1, logQCorrection: LogQCorrection = .none,
                temperatureOrder: TemperatureOrder = .logQThenTemperature, threads: Int? = nil) {
        precondition(logitsTemperature > 0 && logitsTemperature.isFinite,
                     "ItemRetrievalScorer: logitsTemperature must be positive and finite, got \(logitsTemperature)")
        self.samplers = samplers
        self.downscoreFalseNegatives = downscoreFalseNegatives
        self.falseNegativeScore = falseNegativeScore
        self.itemIdFeatureName = itemIdFeatureName
        self.logitsTemperature = logitsTemperature
        self.logQCorrection = logQCorrection
        self.temperatureOrder = temperatureOrder
        self.threads = threads
        self.sampledGradients = samplers.map { _ in Matrix(rows: 0, columns: 0) }
    }

    /// The sampler's type name, for error messages (built only when an error is thrown).
    static func name(of sampler: any ItemSampler) -> String { String(describing: type(of: sampler)) }

    /// Ends the training step: drops the references to the last forward's inputs (queries, items,
    /// negatives), so the caller's buffers are written in place at the next step instead of
    /// being copied (copy-on-write). Call after ``backward()`` once its gradients are consumed.
    public func endStep() {
        if let ctx = context { segmentBuffer = ctx.segments }
        context = nil
        for k in segmentBuffer.indices {
            segmentBuffer[k].embeddings = Matrix(rows: 0, columns: 0)
            segmentBuffer[k].ids = []
        }
    }

    /// Whether item ids are required on the batch and on every sampler's negatives.
    var needsIds: Bool {
        if downscoreFalseNegatives { return true }
        if case .none = logQCorrection { return false }
        return true
    }

    /// Scores a batch. See the type's documentation for the layout and order.
    /// - Parameters:
    ///   - query: `[B, d]` query embeddings.
    ///   - items: `[B, d]` positive item embeddings with metadata (`item_id` when needed).
    /// - Throws: ``ScorerError/noSamplers`` or ``ScorerError/noNegatives(samplers:)`` in training,
    ///   ``ScorerError/missingItemIds(source:feature:)``, sampler errors, logQ table errors.
    /// - Precondition: `query` and `items.embeddings` have the same shape.
    public func callAsFunction(query: Matrix, items: EmbeddingWithMetadata, training: Bool) throws -> ItemRetrievalScores {
        precondition(query.rows == items.embeddings.rows && query.columns == items.embeddings.columns,
                     "ItemRetrievalScorer: query is \(query.rows)×\(query.columns), items are \(items.embeddings.rows)×\(items.embeddings.columns)")
        let b = query.rows, d = query.columns
        context = nil  // release last step's references so buffers are written in place
        let positiveIds = items.metadata[itemIdFeatureName]
        guard training else { return inference(query: query, items: items.embeddings, positiveIds: positiveIds ?? []) }
        guard !samplers.isEmpty else { throw ScorerError.noSamplers }
        let needIds = needsIds
        if needIds && positiveIds == nil { throw ScorerError.missingItemIds(source: "the positive items", feature: itemIdFeatureName) }
        let posIds = positiveIds ?? []

        // Samplers, in order.
        var segments = segmentBuffer
        segmentBuffer = []
        segments.removeAll(keepingCapacity: true)
        negativeIds.removeAll(keepingCapacity: true)
        var offset = 0
        for (k, sampler) in samplers.enumerated() {
            let out = try sampler(items, training: true)
            guard out.count > 0 else { continue }
            guard out.embeddings.columns == d else {
                throw ScorerError.dimensionMismatch(source: Self.name(of: sampler), expected: d, found: out.embeddings.columns)
            }
            let ids = out.metadata[itemIdFeatureName]
            if needIds && ids == nil { throw ScorerError.missingItemIds(source: Self.name(of: sampler), feature: itemIdFeatureName) }
            let flow = sampler.negativeGradientFlow
            precondition(flow != .batchItems || out.count == b,
                         "ItemRetrievalScorer: \(Self.name(of: sampler)) declares in-batch gradients but returned \(out.count) rows for a batch of \(b)")
            if let ids { negativeIds.append(contentsOf: ids) }
            segments.append(Segment(info: NegativeSegment(samplerIndex: k, offset: offset, count: out.count, gradientFlow: flow),
                                    embeddings: out.embeddings, ids: ids ?? []))
            offset += out.count
        }
        let n = offset
        guard n > 0 else { throw ScorerError.noNegatives(samplers: samplers.map { String(describing: type(of: $0)) }) }
        if !needIds && negativeIds.count != n { negativeIds.removeAll(keepingCapacity: true) }

        let scale = 1 / logitsTemperature
        let hasLogQ = try computeLogQBias(positiveIds: posIds, segments: segments, scale: scale)
        detectFalseNegatives(positiveIds: posIds, rows: b)

        // Dot products, already scaled by 1/T: one GEMM per segment into the logits' columns.
        let ldz = 1 + n
        logits.reshape(rows: b, columns: ldz)
        logits.withUnsafeMutableBufferPointer { z in
            query.withUnsafeBufferPointer { q in
                for seg in segments {
                    seg.embeddings.withUnsafeBufferPointer { e in
                        gemm(transA: .none, transB: .transposed, m: b, n: seg.info.count, k: d, alpha: scale,
                             a: q.baseAddress, lda: d, b: e.baseAddress, ldb: d, beta: 0,
                             c: z.baseAddress! + 1 + seg.info.offset, ldc: ldz, threads: threads)
                    }
                }
            }
        }
        finishLogits(query: query, items: items.embeddings, scale: scale, hasLogQ: hasLogQ)
        segmentInfo.removeAll(keepingCapacity: true)
        for seg in segments { segmentInfo.append(seg.info) }
        context = ForwardContext(query: query, items: items.embeddings, segments: segments, scale: scale)
        return ItemRetrievalScores(logits: logits, positiveItemIds: posIds, negativeItemIds: negativeIds,
                                   segments: segmentInfo, falseNegativeRowStart: fnRowStart,
                                   falseNegativeColumns: fnColumns)
    }

    private func inference(query: Matrix, items: Matrix, positiveIds: [Int]) -> ItemRetrievalScores {
        let b = query.rows, d = query.columns
        logits.reshape(rows: b, columns: 1)
        logits.withUnsafeMutableBufferPointer { z in
            query.withUnsafeBufferPointer { q in
                items.withUnsafeBufferPointer { i in
                    for r in 0..<b { z[r] = dot(q.baseAddress! + r * d, i.baseAddress! + r * d, d) }
                }
            }
        }
        return ItemRetrievalScores(logits: logits, positiveItemIds: positiveIds, negativeItemIds: [],
                                   segments: [], falseNegativeRowStart: [], falseNegativeColumns: [])
    }

    /// Fills `rowBias` `[B]` and `columnBias` `[N]` with the logQ terms already multiplied by the
    /// temperature factor of the chosen order; returns whether logQ is on.
    private func computeLogQBias(positiveIds: [Int], segments: [Segment], scale: Float) throws -> Bool {
        let k: Float = temperatureOrder == .logQThenTemperature ? scale : 1
        rowBias.removeAll(keepingCapacity: true)
        columnBias.removeAll(keepingCapacity: true)
        switch logQCorrection {
        case .none:
            return false
        case let .frequencyTable(table, r):
            let p = table.probabilities
            for id in positiveIds {
                guard id >= 0 && id < p.count else { throw ScorerError.idOutOfRange(id: id, tableSize: p.count) }
                rowBias.append(k * logQBias(Double(p[id]), regFactor: r))
            }
            for id in negativeIds {
                guard id >= 0 && id < p.count else { throw ScorerError.idOutOfRange(id: id, tableSize: p.count) }
                columnBias.append(k * logQBias(Double(p[id]), regFactor: r))
            }
        case .samplerProbabilities:
            guard samplers.count == 1, let s = samplers[0] as? any ProbabilityReportingSampler else {
                throw ScorerError.samplerProbabilitiesUnavailable(
                    "needs exactly one sampler that reports probabilities (PopularityBasedSampler, UniformCorpusSampler); got \(samplers.map { String(describing: type(of: $0)) })")
            }
            let q = s.lastSampleProbabilities
            guard q.count == negativeIds.count else {
                throw ScorerError.samplerProbabilitiesUnavailable("\(q.count) probabilities for \(negativeIds.count) negatives")
            }
            for id in positiveIds { rowBias.append(k * logQBias(s.inclusionProbability(of: id), regFactor: 1)) }
            for p in q { columnBias.append(k * logQBias(Double(p), regFactor: 1)) }
        case let .frequencyEstimator(estimator, r, update):
            if update { estimator.update(ids: positiveIds) }
            estimator.estimate(ids: positiveIds, into: &probabilities)
            for p in probabilities { rowBias.append(k * logQBias(Double(p), regFactor: r)) }
            estimator.estimate(ids: negativeIds, into: &probabilities)
            for p in probabilities { columnBias.append(k * logQBias(Double(p), regFactor: r)) }
        }
        return true
    }

    /// Builds the false-negative CSR lists (empty when downscoring is off).
    private func detectFalseNegatives(positiveIds: [Int], rows b: Int) {
        fnRowStart.removeAll(keepingCapacity: true)
        fnColumns.removeAll(keepingCapacity: true)
        guard downscoreFalseNegatives else { return }
        negativeIds.withUnsafeBufferPointer { fnIndex.build($0) }
        fnRowStart.append(0)
        for r in 0..<b {
            fnIndex.forEachColumn(of: positiveIds[r]) { fnColumns.append($0) }
            fnRowStart.append(Int32(fnColumns.count))
        }
    }

    /// Column 0, logQ column biases and false-negative scores, in one pass over the rows.
    private func finishLogits(query: Matrix, items: Matrix, scale: Float, hasLogQ: Bool) {
        let b = logits.rows, ldz = logits.columns, n = ldz - 1, d = query.columns
        let fnValue = falseNegativeScore * scale
        let hasFN = downscoreFalseNegatives
        logits.withUnsafeMutableBufferPointer { zb in
            query.withUnsafeBufferPointer { qb in
                items.withUnsafeBufferPointer { ib in
                    columnBias.withUnsafeBufferPointer { cb in
                        rowBias.withUnsafeBufferPointer { rb in
                            fnRowStart.withUnsafeBufferPointer { fs in
                                fnColumns.withUnsafeBufferPointer { fc in
                                    let z = zb.baseAddress!
                                    let vecEnd = n & ~7
                                    for r in 0..<b {
                                        let row = z + r * ldz
                                        let neg = row + 1
                                        if hasLogQ {
                                            let c = cb.baseAddress!
                                            var j = 0
                                            while j < vecEnd { store8(load8(neg + j) + load8(c + j), neg + j); j &+= 8 }
                                            while j < n { neg[j] += c[j]; j &+= 1 }
                                        }
                                        if hasFN {
                                            for h in Int(fs[r]) ..< Int(fs[r + 1]) {
                                                let col = Int(fc[h])
                                                neg[col] = fnValue + (hasLogQ ? cb[col] : 0)
                                            }
                                        }
                                        let s = dot(qb.baseAddress! + r * d, ib.baseAddress! + r * d, d) * scale
                                        row[0] = s + (hasLogQ ? rb[r] : 0)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `Σ a[i]·b[i]` over `n` floats, SIMD8 with a scalar tail.
@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    let end = n & ~7
    while i < end { acc += load8(a + i) * load8(b + i); i &+= 8 }
    var s = acc.sum()
    while i < n { s += a[i] * b[i]; i &+= 1 }
    return s
}
