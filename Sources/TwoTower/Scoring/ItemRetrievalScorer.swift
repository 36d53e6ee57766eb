import TowerCore

/// Scores queries against their positive items and the negatives of a list of samplers
/// (Merlin's `ItemRetrievalScorer`), and back-propagates a loss over those logits.
///
/// **Training logits** `[B, 1+N]`, in this order (Merlin's):
/// 1. dot products — column 0 `q_b·i_b`, columns `1…N` `Q·Nᵀ` (one GEMM per sampler segment);
/// 2. false-negative rescoring — a negative whose id equals the row's positive id gets
///    `falseNegativeScore` (−655.04, as Merlin; the column stays);
/// 3. logQ — `− r·log(q + 1e-16)` per column, positive included (``LogQCorrection``); with mixed
///    negatives `q` is the mixture's expected count of the item (see ``NegativeMixture``);
/// 4. temperature — divide by `logitsTemperature`, after logQ (Merlin) or before it (TFRS),
///    see ``TemperatureOrder``.
/// **Inference** (`training: false`): `[B, 1]` raw dot products; samplers are not called.
///
/// **Two ways in.**
/// - ``trainingScores(query:items:positiveIds:negatives:)`` + ``backward(_:logitsGradient:)``: the
///   caller hands over the negatives as ``NegativeBlock``s and gets every gradient back as rows of
///   the matrices it gave; nothing is kept between the calls. ``Trainer/step(users:items:weights:epoch:)``
///   runs this way:
///   ```swift
///   // rows [positives; corpus draws] through the item tower once, users through the query tower
///   let items = itemTower.forward(rows: itemRows, training: true), queries = queryTower.forward(rows: users, training: true)
///   let scores = try scorer.trainingScores(query: queries, items: items, positiveIds: ids,
///                                          negatives: [NegativeBlock(.itemRows(0..<b), ids: ids, source: "in-batch")])
///   let loss = RetrievalLoss.softmaxCrossEntropy.lossAndGradient(logits: scores.logits, into: &dLogits)
///   let grads = scorer.backward(consume scores, logitsGradient: &dLogits)
///   itemTower.backward(grads.items); queryTower.backward(grads.query)
///   ```
/// - Merlin's shape, the scorer calling its ``samplers``:
///   ```swift
///   let scores = try scorer(query: Q, items: EmbeddingWithMetadata(embeddings: I, metadata: ["item_id": ids]), training: true)
///   let loss = scorer.lossAndGradient(scores)         // keeps dL/dlogits inside the scorer
///   let grads = scorer.backward()                     // query, positives, sampledNegatives by sampler
///   scorer.endStep()                                  // drops the references kept for backward()
///   ```
///   Corpus samplers (``CorpusSampler``) need their embeddings first: `sampleIds()`, embed,
///   `provideEmbeddings(_:)`.
/// Cached negatives (``CachedCrossBatchSampler``, ``CachedUniformSampler``) get no gradient and
/// cost no backward GEMM. A custom loss may call ``backward(logitsGradient:)`` instead of 2–3.
///
/// **Cost and allocation.** Forward: one `B×n×d` GEMM per segment plus one vectorised pass over the
/// logits; backward: `dQ = dL·N` per segment and `dN = dLᵀ·Q` per live segment. Logits, gradient,
/// id and false-negative buffers grow to the largest batch seen and are reused afterwards: in
/// steady state a block-driven step allocates nothing as long as the caller hands its
/// ``ItemRetrievalScores`` to the backward pass with `consume` and releases the ``ScorerGradients``
/// (locals of the step function do). The sampler-driven call also allocates the samplers' metadata
/// dictionaries and its block records.
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
    /// Rows whose ids the frequency estimator counts per step, for mixed negatives (`nil`: the
    /// batch's rows). The data-parallel trainer sets the global batch size here.
    public var frequencyRowsPerStep: Int?

    // Workspaces, reused across steps (shared with the values returned, copy-on-write).
    var logits = Matrix(rows: 0, columns: 0)
    var queryGradient = Matrix(rows: 0, columns: 0)
    var itemGradient = Matrix(rows: 0, columns: 0)
    var negativeIds: [Int] = []
    var columnBias: [Float] = []
    var rowBias: [Float] = []
    var probabilities: [Float] = []
    var fnRowStart: [Int32] = []
    var fnColumns: [Int32] = []
    var fnIndex = FalseNegativeIndex()
    var segments: [ScoredSegment] = []
    var segmentInfo: [NegativeSegment] = []
    /// State of the sampler-driven (Merlin-shaped) call only; see ``SamplerDrivenState``.
    var samplerDriven = SamplerDrivenState()

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
        self.samplerDriven.sampledGradients = samplers.map { _ in Matrix(rows: 0, columns: 0) }
    }

    /// The sampler's type name, for error messages (built only when an error is thrown).
    static func name(of sampler: any ItemSampler) -> String { String(describing: type(of: sampler)) }

    /// Whether item ids are required on the batch and on every sampler's negatives.
    var needsIds: Bool {
        if downscoreFalseNegatives { return true }
        if case .none = logQCorrection { return false }
        return true
    }

    /// Training logits for a batch against the given negatives (layout and order in the type's
    /// documentation); the scorer's ``samplers`` are not called.
    /// - Parameters:
    ///   - query: `[B, d]` query embeddings.
    ///   - items: `[R, d]`, `R ≥ B`: rows `0..<B` are the positives; live negative blocks
    ///     (``NegativeBlock/Embeddings/itemRows(_:)``) index further rows (or the same ones, in-batch).
    ///   - positiveIds: `[B]` item rows of the positives (may be empty when neither false-negative
    ///     downscoring nor logQ is on).
    ///   - negatives: the blocks, concatenated in order into the negative columns; a segment's
    ///     `samplerIndex` is its block's index. A block may be empty.
    /// - Returns: the logits and everything ``backward(_:logitsGradient:)`` needs.
    /// - Throws: ``ScorerError/noSamplers`` (no blocks), ``ScorerError/noNegatives(samplers:)`` (all
    ///   empty), ``ScorerError/missingItemIds(source:feature:)``, ``ScorerError/dimensionMismatch(source:expected:found:)``,
    ///   logQ table errors.
    /// - Precondition: `items` has `d` columns and at least `B` rows; item-row ranges lie inside it.
    public func trainingScores(query: Matrix, items: Matrix, positiveIds: [Int],
                               negatives: [NegativeBlock]) throws -> ItemRetrievalScores {
        let b = query.rows, d = query.columns
        precondition(items.rows >= b && items.columns == d,
                     "ItemRetrievalScorer: query is \(b)×\(d), items are \(items.rows)×\(items.columns) (need ≥ \(b) rows of \(d))")
        guard !negatives.isEmpty else { throw ScorerError.noSamplers }
        let needIds = needsIds
        if needIds && positiveIds.count != b {
            throw ScorerError.missingItemIds(source: "the positive items", feature: itemIdFeatureName)
        }
        segments.removeAll(keepingCapacity: true)
        negativeIds.removeAll(keepingCapacity: true)
        var offset = 0
        for (k, block) in negatives.enumerated() {
            let n = block.count
            guard n > 0 else { continue }
            let segment: ScoredSegment
            switch block.embeddings {
            case .itemRows(let rows):
                precondition(rows.lowerBound >= 0 && rows.upperBound <= items.rows,
                             "ItemRetrievalScorer: \(block.source) uses item rows \(rows), the item matrix has \(items.rows)")
                let flow: NegativeGradientFlow = rows == 0..<b ? .batchItems : .sampledItems
                segment = ScoredSegment(info: NegativeSegment(samplerIndex: k, offset: offset, count: n, gradientFlow: flow),
                                        embeddings: items, firstRow: rows.lowerBound)
            case .detached(let matrix):
                guard matrix.columns == d else {
                    throw ScorerError.dimensionMismatch(source: block.source, expected: d, found: matrix.columns)
                }
                segment = ScoredSegment(info: NegativeSegment(samplerIndex: k, offset: offset, count: n, gradientFlow: .none),
                                        embeddings: matrix, firstRow: 0)
            }
            if needIds && block.ids.count != n {
                throw ScorerError.missingItemIds(source: block.source, feature: itemIdFeatureName)
            }
            if block.ids.count == n { negativeIds.append(contentsOf: block.ids) }
            segments.append(segment)
            offset += n
        }
        let n = offset
        guard n > 0 else { throw ScorerError.noNegatives(samplers: negatives.map(\.source)) }
        if !needIds && negativeIds.count != n { negativeIds.removeAll(keepingCapacity: true) }

        let scale = 1 / logitsTemperature
        let hasLogQ = try computeLogQBias(positiveIds: positiveIds, negatives: negatives, scale: scale)
        detectFalseNegatives(positiveIds: positiveIds, rows: b)

        // Dot products, already scaled by 1/T: one GEMM per segment into the logits' columns.
        let ldz = 1 + n
        logits.reshape(rows: b, columns: ldz)
        logits.withUnsafeMutableBufferPointer { z in
            query.withUnsafeBufferPointer { q in
                for seg in segments {
                    seg.embeddings.withUnsafeBufferPointer { e in
                        gemm(transA: .none, transB: .transposed, m: b, n: seg.info.count, k: d, alpha: scale,
                             a: q.baseAddress, lda: d, b: e.baseAddress! + seg.firstRow * d, ldb: d, beta: 0,
                             c: z.baseAddress! + 1 + seg.info.offset, ldc: ldz, threads: threads)
                    }
                }
            }
        }
        finishLogits(query: query, items: items, scale: scale, hasLogQ: hasLogQ)
        segmentInfo.removeAll(keepingCapacity: true)
        for seg in segments { segmentInfo.append(seg.info) }
        var scores = ItemRetrievalScores(logits: logits, positiveItemIds: positiveIds, negativeItemIds: negativeIds,
                                         segments: segmentInfo, falseNegativeRowStart: fnRowStart,
                                         falseNegativeColumns: fnColumns)
        scores.query = query
        scores.items = items
        scores.scoredSegments = segments
        scores.scale = scale
        return scores
    }

    func inference(query: Matrix, items: Matrix, positiveIds: [Int]) -> ItemRetrievalScores {
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
    private func computeLogQBias(positiveIds: [Int], negatives: [NegativeBlock], scale: Float) throws -> Bool {
        let k: Float = temperatureOrder == .logQThenTemperature ? scale : 1
        rowBias.removeAll(keepingCapacity: true)
        columnBias.removeAll(keepingCapacity: true)
        switch logQCorrection {
        case .none:
            return false
        case let .frequencyTable(table, r):
            let p = table.probabilities
            // Mixed with corpus samplers: the table's per-draw probability times the unigram draws.
            let mix = negativeMixture(negatives, rowsPerFrequencyUnit: 1)
            for id in positiveIds {
                guard id >= 0 && id < p.count else { throw ScorerError.idOutOfRange(id: id, tableSize: p.count) }
                rowBias.append(k * logQBias(mix?.probability(of: id, frequency: Double(p[id])) ?? Double(p[id]), regFactor: r))
            }
            for id in negativeIds {
                guard id >= 0 && id < p.count else { throw ScorerError.idOutOfRange(id: id, tableSize: p.count) }
                columnBias.append(k * logQBias(mix?.probability(of: id, frequency: Double(p[id])) ?? Double(p[id]), regFactor: r))
            }
        case .samplerProbabilities:
            guard negatives.count == 1, let s = negatives[0].probabilitySource else {
                throw ScorerError.samplerProbabilitiesUnavailable(
                    "needs exactly one sampler that reports probabilities (PopularityBasedSampler, UniformCorpusSampler); got \(negatives.map(\.source))")
            }
            let q = s.lastSampleProbabilities
            guard q.count == negativeIds.count else {
                throw ScorerError.samplerProbabilitiesUnavailable("\(q.count) probabilities for \(negativeIds.count) negatives")
            }
            for id in positiveIds { rowBias.append(k * logQBias(s.inclusionProbability(of: id), regFactor: 1)) }
            for p in q { columnBias.append(k * logQBias(Double(p), regFactor: 1)) }
        case let .frequencyEstimator(estimator, r, update):
            if update { estimator.update(ids: positiveIds) }
            // Mixed with corpus samplers: the estimate is an expected count among the rows the
            // estimator counts per step; unigram blocks of other sizes (caches) scale it.
            let mix = negativeMixture(negatives, rowsPerFrequencyUnit: frequencyRowsPerStep ?? positiveIds.count)
            estimator.estimate(ids: positiveIds, into: &probabilities)
            for (id, p) in zip(positiveIds, probabilities) {
                rowBias.append(k * logQBias(mix?.probability(of: id, frequency: Double(p)) ?? Double(p), regFactor: r))
            }
            estimator.estimate(ids: negativeIds, into: &probabilities)
            for (id, p) in zip(negativeIds, probabilities) {
                columnBias.append(k * logQBias(mix?.probability(of: id, frequency: Double(p)) ?? Double(p), regFactor: r))
            }
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
