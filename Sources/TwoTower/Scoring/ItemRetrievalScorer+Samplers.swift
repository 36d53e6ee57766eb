import TowerCore

/// What the sampler-driven call keeps between ``ItemRetrievalScorer/callAsFunction(query:items:training:)``,
/// ``ItemRetrievalScorer/lossAndGradient(_:loss:sampleWeights:)`` and ``ItemRetrievalScorer/backward()``
/// (Merlin's stateful shape), until ``ItemRetrievalScorer/endStep()``.
struct SamplerDrivenState {
    /// The last training forward.
    var scores: ItemRetrievalScores?
    /// Its negative blocks, one per sampler.
    var blocks: [NegativeBlock] = []
    /// `∂L/∂logits` of the last `lossAndGradient`.
    var logitsGradient = Matrix(rows: 0, columns: 0)
    /// `[B + corpus rows, d]`: the positives and the corpus samplers' rows, when there are any.
    var items = Matrix(rows: 0, columns: 0)
    /// `[B, d]` positives' gradient, cut from the item-matrix gradient when corpus rows follow.
    var positiveGradient = Matrix(rows: 0, columns: 0)
    /// Per sampler, its rows' gradient (corpus samplers).
    var sampledGradients: [Matrix] = []
}

extension ItemRetrievalScorer {
    /// Scores a batch against the negatives of ``samplers``, called in order with the batch (Merlin's
    /// `ItemRetrievalScorer.call`). See the type's documentation for the layout and order.
    ///
    /// Each sampler's output becomes a ``NegativeBlock``: in-batch negatives
    /// (``NegativeGradientFlow/batchItems``) are the positives' rows, corpus samplers'
    /// (``NegativeGradientFlow/sampledItems``) are appended after them (a copy), caches' are detached.
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
        samplerDriven.scores = nil  // release last step's references so buffers are written in place
        let positiveIds = items.metadata[itemIdFeatureName]
        guard training else { return inference(query: query, items: items.embeddings, positiveIds: positiveIds ?? []) }
        guard !samplers.isEmpty else { throw ScorerError.noSamplers }
        let needIds = needsIds
        if needIds && positiveIds == nil { throw ScorerError.missingItemIds(source: "the positive items", feature: itemIdFeatureName) }

        var blocks = samplerDriven.blocks
        samplerDriven.blocks = []
        blocks.removeAll(keepingCapacity: true)
        var corpusRows: [Matrix] = []
        var rows = b
        for sampler in samplers {
            let out = try sampler(items, training: true)
            let name = Self.name(of: sampler)
            guard out.count > 0 else {
                blocks.append(NegativeBlock(.detached(out.embeddings), ids: [], source: name))
                continue
            }
            guard out.embeddings.columns == d else {
                throw ScorerError.dimensionMismatch(source: name, expected: d, found: out.embeddings.columns)
            }
            let ids = out.metadata[itemIdFeatureName]
            if needIds && ids == nil { throw ScorerError.missingItemIds(source: name, feature: itemIdFeatureName) }
            let embeddings: NegativeBlock.Embeddings
            switch sampler.negativeGradientFlow {
            case .batchItems:
                precondition(out.count == b,
                             "ItemRetrievalScorer: \(name) declares in-batch gradients but returned \(out.count) rows for a batch of \(b)")
                embeddings = .itemRows(0..<b)
            case .sampledItems:
                embeddings = .itemRows(rows ..< rows + out.count)
                corpusRows.append(out.embeddings)
                rows += out.count
            case .none:
                embeddings = .detached(out.embeddings)
            }
            blocks.append(NegativeBlock(embeddings, ids: ids ?? [], probabilitySource: sampler as? any ProbabilityReportingSampler,
                                        source: name))
        }
        var itemMatrix = items.embeddings
        if rows > b {
            samplerDriven.items.reshape(rows: rows, columns: d)
            samplerDriven.items.replaceRows(startingAt: 0, with: items.embeddings)
            var row = b
            for m in corpusRows {
                samplerDriven.items.replaceRows(startingAt: row, with: m)
                row += m.rows
            }
            itemMatrix = samplerDriven.items
        }
        let scores = try trainingScores(query: query, items: itemMatrix, positiveIds: positiveIds ?? [], negatives: blocks)
        samplerDriven.scores = scores
        samplerDriven.blocks = blocks
        return scores
    }

    /// The fused loss pass over `scores.logits`: returns the loss and keeps `∂L/∂logits` inside the
    /// scorer for ``backward()``.
    /// - Parameters:
    ///   - scores: the result of the last sampler-driven training forward.
    ///   - loss: softmax cross-entropy (default) or BPR, see ``RetrievalLoss``.
    ///   - sampleWeights: `B` per-row weights (YouTube's reward `r_i`), or `nil` for 1.
    public func lossAndGradient(_ scores: ItemRetrievalScores, loss: RetrievalLoss = .softmaxCrossEntropy,
                                sampleWeights: [Float]? = nil) -> Float {
        precondition(samplerDriven.scores != nil, "ItemRetrievalScorer.lossAndGradient: no training forward to take the loss of")
        return loss.lossAndGradient(logits: scores.logits, sampleWeights: sampleWeights,
                                    into: &samplerDriven.logitsGradient, threads: threads)
    }

    /// Back-propagates the gradient stored by ``lossAndGradient(_:loss:sampleWeights:)`` through the
    /// last sampler-driven forward: `items` is `[B, d]`, corpus samplers' rows come in `sampledNegatives`.
    public func backward() -> ScorerGradients {
        let g = samplerDriven.logitsGradient
        precondition(g.rows == logits.rows && g.columns == logits.columns,
                     "ItemRetrievalScorer.backward: call lossAndGradient first (gradient \(g.rows)×\(g.columns), logits \(logits.rows)×\(logits.columns))")
        return samplerDrivenBackward()
    }

    /// Back-propagates a caller-computed `∂L/∂logits`, `[B, 1+N]` like the last training logits.
    public func backward(logitsGradient gradient: Matrix) -> ScorerGradients {
        precondition(gradient.rows == logits.rows && gradient.columns == logits.columns,
                     "ItemRetrievalScorer.backward: gradient is \(gradient.rows)×\(gradient.columns), logits are \(logits.rows)×\(logits.columns)")
        samplerDriven.logitsGradient = gradient
        return samplerDrivenBackward()
    }

    /// Ends a sampler-driven step: drops the references to the last forward's inputs (queries,
    /// items, negatives), so the caller's buffers are written in place at the next step instead of
    /// being copied (copy-on-write). Call after ``backward()`` once its gradients are consumed.
    /// The block-driven path (``trainingScores(query:items:positiveIds:negatives:)``) needs no such call.
    public func endStep() {
        samplerDriven.scores = nil
        samplerDriven.blocks.removeAll(keepingCapacity: true)
    }

    private func samplerDrivenBackward() -> ScorerGradients {
        guard let scores = samplerDriven.scores else {
            preconditionFailure("ItemRetrievalScorer.backward: no training forward to differentiate")
        }
        let b = scores.batchSize
        let full = backward(scores, logitsGradient: &samplerDriven.logitsGradient)
        guard full.items.rows > b else { return full }
        samplerDriven.positiveGradient.assignRows(0..<b, of: full.items)
        var sampled: [SampledNegativeGradient] = []
        for seg in scores.scoredSegments where seg.info.gradientFlow == .sampledItems {
            let k = seg.info.samplerIndex
            samplerDriven.sampledGradients[k].assignRows(seg.firstRow ..< seg.firstRow + seg.info.count, of: full.items)
            sampled.append(SampledNegativeGradient(samplerIndex: k, ids: samplerDriven.blocks[k].ids,
                                                   embeddings: samplerDriven.sampledGradients[k]))
        }
        return ScorerGradients(query: full.query, items: samplerDriven.positiveGradient, sampledNegatives: sampled)
    }
}
