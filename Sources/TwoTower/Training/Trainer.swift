import TowerCore
import TowerDistributed
import TowerNN

/// Trains a ``TwoTowerModel`` with in-batch (and other) negatives.
///
/// One step, for a batch of `B` (user, item) rows, reads top to bottom (``step(users:items:weights:epoch:)``):
/// 1. **draw negatives** — corpus samplers draw `S` item rows; the item-tower rows are `[positives; draws]`;
/// 2. **embed** — the item tower embeds those rows in one pass (`[B+S, d]`), the query tower the users (`[B, d]`);
///    the negatives become ``NegativeBlock``s: rows of that output (in-batch, corpus draws) or the
///    caches' stored rows;
/// 3. **score** — ``ItemRetrievalScorer/trainingScores(query:items:positiveIds:negatives:)`` builds
///    the logits `[B, 1+N]` (false negatives, logQ, temperature);
/// 4. **loss and gradient** — the fused softmax cross-entropy (or BPR, or CCL) gives the loss and
///    `∂L/∂logits`, reduced over the rows by the mean (default) or the sum (``TrainingConfiguration/lossReduction``);
/// 5. **route gradients back** — ``ItemRetrievalScorer/backward(_:logitsGradient:)`` returns the
///    gradient of every row the towers produced, which flows back through both towers;
/// 6. **update** — the L2 penalty on the looked-up embedding rows (``TrainingConfiguration/resolvedEmbeddingL2``, 0.1 by default with softmax),
///    clipping, then the optimizer on dense parameters and touched embedding rows.
/// Nothing is handed back and forth: each stage reads the previous one's output. Buffers are reused
/// across steps; every random choice derives from `configuration.seed`.
///
/// **Data-parallel** (``communicator`` of N > 1 ranks, see docs/DISTRIBUTED.md): every rank gets the
/// same global batch of B rows and trains on its slice (``Communicator/slice(of:)``). With
/// ``NegativeScope/global`` the positives' item embeddings are all-gathered after 2, so each rank
/// scores its rows against all B in-batch candidates (ids are global, so false-negative masking and
/// logQ see the global batch; corpus draws are the same on every rank, drawn from the shared seed);
/// after 5 the gradient of the gathered rows is reduce-scattered back to their owners, and before 6
/// the parameter gradients are summed over ranks in rank order (dense: all-reduce; embedding rows:
/// all-gather-v of (row, gradient) pairs). N ranks with batch B/N then compute what one process
/// computes with batch B, and every replica stays bit-identical.
public final class Trainer {
    /// The model being trained.
    public let model: TwoTowerModel
    /// How training runs.
    public let configuration: TrainingConfiguration
    /// The scorer holding the samplers and the logQ source.
    public let scorer: ItemRetrievalScorer
    /// The optimizer over ``TwoTowerModel/parameters``.
    public let optimizer: any Optimizer
    /// The streaming frequency estimator, when `logQ == .streaming`.
    public let frequencyEstimator: FrequencyEstimator?
    /// Steps taken so far.
    public internal(set) var globalStep = 0
    /// The loss of the last step (over the global batch when data-parallel).
    public private(set) var lastLoss: Float = .nan
    /// Candidates per row the last step scored the positive against, the positive included and
    /// downscored false negatives left out (a mean over the rows): a softmax over this many
    /// equal scores has loss `ln(lastCandidates)`.
    public private(set) var lastCandidates: Double = .nan
    /// The ranks training together (``SingleProcessCommunicator`` alone).
    public let communicator: any Communicator
    /// Which in-batch candidates a rank scores against when data-parallel.
    public let negativeScope: NegativeScope
    /// Bytes this rank contributed to the collectives of the last step (0 alone).
    public internal(set) var bytesSentLastStep = 0
    /// Seconds spent inside collectives since the trainer was made (waiting for slower ranks included).
    public internal(set) var communicationSeconds = 0.0

    /// Where each block of negatives comes from, in the configuration's order.
    enum NegativeSource {
        case inBatch
        /// A cache (cross-batch, uniform) fed with and sampled from the batch's positives.
        case cache(any ItemSampler)
        /// A corpus sampler: its draws are embedded by the item tower with the positives.
        case corpus(any CorpusSampler)
    }
    let negativeSources: [NegativeSource]
    let parameters: [Parameter]
    private let loss: RetrievalLoss
    private let hasCaches: Bool

    // Per-step buffers, reused (each is released or emptied by the end of the step).
    private var itemRows: [Int32] = []
    private var positiveIds: [Int] = []
    private var drawnIds: [[Int]] = []
    private var drawnFirstRow: [Int] = []
    private var negatives: [NegativeBlock] = []
    var logitsGradient = Matrix(rows: 0, columns: 0)
    /// Data-parallel buffers: the scored item matrix `[b + B + S, d]` and the local tower gradient.
    var exchange = DataParallelBuffers()
    /// The batch's positives `[B, d]` with their `item_id`s, for the caches (Merlin's sampler input).
    private var cacheInput = EmbeddingWithMetadata(unchecked: Matrix(rows: 0, columns: 0), metadata: ["item_id": []])

    /// - Parameters:
    ///   - itemCounts: training interactions per item row (static logQ table; the popularity
    ///     sampler assumes rows ordered by decreasing frequency, as `InteractionLog.orderedByFrequency()` gives).
    ///   - threads: GEMM threads (`nil`: by problem size).
    ///   - communicator: the data-parallel group (default: this process alone). Every rank must
    ///     build its trainer from the same model, configuration and counts.
    ///   - negativeScope: in-batch candidates of the whole global batch (default) or of the rank's
    ///     slice only (what TFRS and Merlin do under Horovod).
    /// - Throws: ``ConfigurationError`` for an invalid configuration or one that does not fit the data.
    public init(model: TwoTowerModel, configuration: TrainingConfiguration, itemCounts: [Int], threads: Int? = nil,
                communicator: any Communicator = SingleProcessCommunicator(), negativeScope: NegativeScope = .global) throws {
        try configuration.validate()
        if configuration.loss == .ccl, !model.configuration.l2Normalize {
            throw ConfigurationError("{l2Normalize} must be on with {loss} ccl (it needs cosine scores)")
        }
        self.communicator = communicator
        self.negativeScope = negativeScope
        guard itemCounts.count == model.itemCount else {
            throw ConfigurationError("item counts describe \(itemCounts.count) items, the model has \(model.itemCount)")
        }
        self.model = model
        self.configuration = configuration
        var seeds = SplitMix64(seed: configuration.seed ^ 0x7472_6169_6E65_72)
        var samplers: [any ItemSampler] = []
        var sources: [NegativeSource] = []
        for spec in configuration.samplers {
            switch spec {
            case .inBatch:
                samplers.append(InBatchSampler())
                sources.append(.inBatch)
            case .crossBatch(let capacity):
                let cache = CachedCrossBatchSampler(capacity: capacity)
                samplers.append(cache)
                sources.append(.cache(cache))
            case .cachedUniform(let capacity):
                let cache = CachedUniformSampler(capacity: capacity)
                samplers.append(cache)
                sources.append(.cache(cache))
            case .uniform(let count), .popularity(let count):
                guard count <= model.itemCount else {
                    throw ConfigurationError("{samplers} \(spec): cannot draw \(count) distinct items from \(model.itemCount)")
                }
                let sampler: any CorpusSampler = if case .uniform = spec {
                    UniformCorpusSampler(maxId: model.itemCount, maxNumSamples: count, seed: seeds.next())
                } else {
                    PopularityBasedSampler(maxId: model.itemCount, maxNumSamples: count, seed: seeds.next())
                }
                samplers.append(sampler)
                sources.append(.corpus(sampler))
            }
        }
        negativeSources = sources
        hasCaches = sources.contains { if case .cache = $0 { true } else { false } }
        drawnIds = sources.map { _ in [] }
        drawnFirstRow = sources.map { _ in 0 }
        var estimator: FrequencyEstimator? = nil
        let correction: LogQCorrection
        switch configuration.logQ {
        case .none:
            correction = .none
        case .static:
            correction = .frequencyTable(try ItemFrequencyTable(frequencies: itemCounts.map { Float($0) }))
        case .streaming:
            var hashSize = 1
            while hashSize < 2 * model.itemCount { hashSize <<= 1 }
            let e = FrequencyEstimator(hashSize: hashSize, numHashes: 2, learningRate: 0.01, seed: seeds.next(),
                                       countsOccurrences: true)
            estimator = e
            // Global negatives: the trainer feeds the estimator the global batch's ids itself.
            let sharesBatch = communicator.size > 1 && negativeScope == .global
            correction = .frequencyEstimator(e, update: !sharesBatch)
        case .sampler:  // `validate()` checked: exactly one popularity or uniform sampler
            correction = .samplerProbabilities
        }
        frequencyEstimator = estimator
        scorer = ItemRetrievalScorer(
            samplers: samplers, downscoreFalseNegatives: configuration.downscoreFalseNegatives,
            falseNegativeScore: configuration.falseNegativeScore, logitsTemperature: configuration.temperature,
            logQCorrection: correction,
            temperatureOrder: configuration.temperatureOrder,
            threads: threads)
        optimizer = Self.makeOptimizer(configuration)
        parameters = model.parameters
        loss = configuration.loss
    }

    private static func makeOptimizer(_ c: TrainingConfiguration) -> any Optimizer {
        let optimizer: any Optimizer = switch c.optimizer {
        case .adam: Adam(learningRate: c.learningRate, weightDecay: c.weightDecay)
        case .adagrad: Adagrad(learningRate: c.learningRate)
        case .sgd: SGD(learningRate: c.learningRate, weightDecay: c.weightDecay)
        }
        // Warm-up alone needs no epoch length; a decay is set by `fit` (``useSchedule(stepsPerEpoch:)``).
        optimizer.schedule = c.schedule(stepsPerEpoch: 1)
        return optimizer
    }

    /// One optimisation step on the rows `users[i]`, `items[i]` (weighing `weights[i]` in the loss,
    /// 1 when `nil`); returns the loss. The stages are listed in the type's documentation. When
    /// data-parallel, every rank passes the same global batch and trains on its slice of it; the
    /// loss returned is the global batch's, equal on every rank.
    /// - Throws: ``TrainingError/nonFiniteLoss(epoch:step:loss:learningRate:temperature:)`` (parameters
    ///   are left as they were before the step), ``TrainingError/batchSmallerThanRanks(rows:ranks:)``,
    ///   ``TrainingError/communication(_:)``, scorer and sampler errors.
    /// - Precondition: `users`, `items` (and `weights`) have the same non-zero count.
    @discardableResult
    public func step(users globalUsers: UnsafeBufferPointer<Int32>, items globalItems: UnsafeBufferPointer<Int32>,
                     weights globalWeights: UnsafeBufferPointer<Float>? = nil, epoch: Int = 0) throws -> Float {
        precondition(globalUsers.count == globalItems.count && globalUsers.count > 0,
                     "Trainer.step: \(globalUsers.count) users and \(globalItems.count) items (expected equal, non-zero)")
        precondition(globalWeights == nil || globalWeights!.count == globalItems.count,
                     "Trainer.step: \(globalWeights!.count) weights for \(globalItems.count) rows")
        let globalRows = globalItems.count
        let parallel = communicator.size > 1
        let gathers = parallel && negativeScope == .global
        guard globalRows >= communicator.size else {
            throw TrainingError.batchSmallerThanRanks(rows: globalRows, ranks: communicator.size)
        }
        // This rank's rows (all of them alone).
        let mine = parallel ? communicator.slice(of: globalRows) : 0..<globalRows
        let users = UnsafeBufferPointer(rebasing: globalUsers[mine]), items = UnsafeBufferPointer(rebasing: globalItems[mine])
        let sampleWeights = globalWeights.map { UnsafeBufferPointer(rebasing: $0[mine]) }
        let b = items.count
        bytesSentLastStep = 0

        // 1. Draw negatives: the item-tower rows are the positives, then each corpus sampler's draw.
        itemRows.removeAll(keepingCapacity: true)
        itemRows.append(contentsOf: items)
        positiveIds.removeAll(keepingCapacity: true)
        for item in items { positiveIds.append(Int(item)) }
        for (k, source) in negativeSources.enumerated() {
            guard case .corpus(let sampler) = source else { continue }
            drawnFirstRow[k] = itemRows.count
            drawnIds[k] = sampler.sampleIds()
            for id in drawnIds[k] { itemRows.append(Int32(id)) }
        }

        // 2. Embed, and lay the negatives out as blocks of those embeddings.
        let itemOutput = model.itemTower.forward(rows: itemRows, training: true)
        let queries = model.queryTower.forward(rows: users, training: true, targets: items)
        // Global negatives: all-gather the positives; the scored matrix is [mine; global batch; draws].
        let scoredItems = gathers ? try gatherPositives(itemOutput, localRows: b, globalItems: globalItems) : itemOutput
        let batchRows = gathers ? b ..< b + globalRows : 0..<b
        let batchIds = gathers ? exchange.globalIds : positiveIds
        let drawShift = gathers ? globalRows : 0
        if gathers { frequencyEstimator?.update(ids: batchIds) }
        if hasCaches {
            cacheInput.embeddings.assignRows(batchRows, of: scoredItems)
            cacheInput.metadata["item_id"]!.removeAll(keepingCapacity: true)
            cacheInput.metadata["item_id"]!.append(contentsOf: batchIds)
        }
        negatives.removeAll(keepingCapacity: true)
        for (k, source) in negativeSources.enumerated() {
            switch source {
            case .inBatch:
                negatives.append(NegativeBlock(.itemRows(batchRows), ids: batchIds, source: "in-batch"))
            case .cache(let cache):
                let stored = try cache(cacheInput, training: true)
                negatives.append(NegativeBlock(.detached(stored.embeddings), ids: stored.metadata["item_id"] ?? [],
                                               source: "cache"))
            case .corpus(let sampler):
                let first = drawnFirstRow[k] + drawShift
                negatives.append(NegativeBlock(.itemRows(first ..< first + drawnIds[k].count), ids: drawnIds[k],
                                               probabilitySource: sampler as? any ProbabilityReportingSampler,
                                               source: "corpus"))
            }
        }

        // 3. Score (global negatives: the estimator counts the global batch's ids).
        scorer.frequencyRowsPerStep = gathers ? globalRows : nil
        let scores = try scorer.trainingScores(query: queries, items: scoredItems, positiveIds: positiveIds,
                                               negatives: negatives)
        // 4. Loss and its gradient (data-parallel: this rank's share of the global batch's loss).
        var value = loss.lossAndGradient(logits: scores.logits, weights: sampleWeights, into: &logitsGradient,
                                         threads: scorer.threads, reduction: configuration.reduction,
                                         ccl: configuration.cclParameters)
        let drawnRows = itemRows.count - b
        let penalty = embeddingPenalty(localRows: b, drawnRows: drawnRows, globalRows: globalRows)
        if parallel {
            value = try globalLoss(value, penalty: penalty, localRows: b, globalRows: globalRows)
        } else {
            value += Float(penalty)
        }
        lastLoss = value
        lastCandidates = Double(scores.logits.columns)
            - (configuration.downscoreFalseNegatives ? Double(scores.falseNegativeColumns.count) / Double(max(b, 1)) : 0)
        guard value.isFinite else {
            negatives.removeAll(keepingCapacity: true)
            throw TrainingError.nonFiniteLoss(epoch: epoch, step: globalStep + 1, loss: value,
                                              learningRate: optimizer.learningRate, temperature: configuration.temperature)
        }

        // 5. Route gradients back through both towers (global negatives: each rank's gradient of
        //    the gathered rows goes back to the rank that embedded them).
        let gradients = scorer.backward(consume scores, logitsGradient: &logitsGradient)
        negatives.removeAll(keepingCapacity: true)  // release the caches' rows and the ids
        if gathers {
            try scatterItemGradient(gradients.items, localRows: b, globalRows: globalRows)
            model.itemTower.backward(exchange.towerGradient)
        } else {
            model.itemTower.backward(gradients.items)
        }
        model.queryTower.backward(gradients.query)
        addEmbeddingL2Gradient(localRows: b, drawnRows: drawnRows, globalRows: globalRows)
        if parallel { try sumParameterGradients() }

        // 6. Update.
        if let maxNorm = configuration.clipNorm { _ = clipGradientsByGlobalNorm(parameters, maxNorm: maxNorm) }
        optimizer.step(parameters)
        globalStep += 1
        return value
    }
}
