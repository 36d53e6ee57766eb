import TowerCore
import TowerNN

/// Trains a ``TwoTowerModel`` with in-batch (and other) negatives: each step runs
/// batch → towers → samplers → scorer + loss → backward → optimizer.
///
/// One step, for a batch of `B` (user, item) rows and corpus samplers drawing `S` ids:
/// 1. the corpus samplers draw their ids; the item tower embeds `[batch items; drawn ids]` in one
///    pass (`[B+S, d]`), the query tower embeds the users (`[B, d]`);
/// 2. ``ItemRetrievalScorer`` builds the logits `[B, 1+N]` (false negatives, logQ, temperature)
///    and the fused softmax cross-entropy (or BPR) gives the loss and its gradient;
/// 3. the scorer's gradients flow back through both towers (drawn rows included, cached rows not);
/// 4. the optimizer updates dense parameters and the touched embedding rows only.
/// Buffers are reused across steps. Every random choice derives from `configuration.seed`.
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
    public private(set) var globalStep = 0
    /// The loss of the last step.
    public private(set) var lastLoss: Float = .nan

    private let corpusSamplers: [(index: Int, sampler: any CorpusSampler)]
    private let parameters: [Parameter]
    private let loss: RetrievalLoss

    // Per-step buffers, reused.
    private var itemRows: [Int32] = []
    /// The batch's positives `[B, d]` with their `item_id`s, updated in place every step.
    private var batch = EmbeddingWithMetadata(unchecked: Matrix(rows: 0, columns: 0), metadata: ["item_id": []])
    private var sampled = Matrix(rows: 0, columns: 0)
    private var itemGradient = Matrix(rows: 0, columns: 0)
    private var sampledOffsets: [Int] = []

    /// - Parameters:
    ///   - itemCounts: training interactions per item row (static logQ table; the popularity
    ///     sampler assumes rows ordered by decreasing frequency, as `InteractionLog.orderedByFrequency()` gives).
    ///   - threads: GEMM threads (`nil`: by problem size).
    /// - Throws: ``ConfigurationError`` for an invalid configuration or one that does not fit the data.
    public init(model: TwoTowerModel, configuration: TrainingConfiguration, itemCounts: [Int], threads: Int? = nil) throws {
        try configuration.validate()
        guard itemCounts.count == model.itemCount else {
            throw ConfigurationError("item counts describe \(itemCounts.count) items, the model has \(model.itemCount)")
        }
        self.model = model
        self.configuration = configuration
        var seeds = SplitMix64(seed: configuration.seed ^ 0x7472_6169_6E65_72)
        var samplers: [any ItemSampler] = []
        var corpus: [(Int, any CorpusSampler)] = []
        for spec in configuration.samplers {
            switch spec {
            case .inBatch:
                samplers.append(InBatchSampler())
            case .crossBatch(let capacity):
                samplers.append(CachedCrossBatchSampler(capacity: capacity))
            case .cachedUniform(let capacity):
                samplers.append(CachedUniformSampler(capacity: capacity))
            case .uniform(let count), .popularity(let count):
                guard count <= model.itemCount else {
                    throw ConfigurationError("sampler \(spec): cannot draw \(count) distinct items from \(model.itemCount)")
                }
                let sampler: any CorpusSampler = if case .uniform = spec {
                    UniformCorpusSampler(maxId: model.itemCount, maxNumSamples: count, seed: seeds.next())
                } else {
                    PopularityBasedSampler(maxId: model.itemCount, maxNumSamples: count, seed: seeds.next())
                }
                corpus.append((samplers.count, sampler))
                samplers.append(sampler)
            }
        }
        corpusSamplers = corpus
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
            correction = .frequencyEstimator(e)
        case .sampler:
            guard samplers.count == 1, samplers.first is any ProbabilityReportingSampler else {
                throw ConfigurationError("--logq sampler needs exactly one sampler that reports probabilities (popularity:N or uniform:N)")
            }
            correction = .samplerProbabilities
        }
        frequencyEstimator = estimator
        scorer = ItemRetrievalScorer(
            samplers: samplers, downscoreFalseNegatives: configuration.downscoreFalseNegatives,
            falseNegativeScore: configuration.falseNegativeScore, logitsTemperature: configuration.temperature,
            logQCorrection: correction,
            temperatureOrder: configuration.temperatureOrder == .merlin ? .logQThenTemperature : .temperatureThenLogQ,
            threads: threads)
        optimizer = Self.makeOptimizer(configuration)
        parameters = model.parameters
        loss = configuration.loss == .softmax ? .softmaxCrossEntropy : .bpr
    }

    private static func makeOptimizer(_ c: TrainingConfiguration) -> any Optimizer {
        let optimizer: any Optimizer = switch c.optimizer {
        case .adam: Adam(learningRate: c.learningRate, weightDecay: c.weightDecay)
        case .adagrad: Adagrad(learningRate: c.learningRate)
        case .sgd: SGD(learningRate: c.learningRate, weightDecay: c.weightDecay)
        }
        if c.warmupSteps > 0 {
            optimizer.schedule = LinearWarmup(warmupSteps: c.warmupSteps, after: ConstantLearningRate(c.learningRate))
        }
        return optimizer
    }

    /// One optimisation step on the rows `users[i]`, `items[i]`; returns the loss.
    /// - Throws: ``TrainingError/nonFiniteLoss(epoch:step:loss:learningRate:temperature:)`` (parameters
    ///   are left as they were before the step), scorer errors.
    @discardableResult
    public func step(users: UnsafeBufferPointer<Int32>, items: UnsafeBufferPointer<Int32>, epoch: Int = 0) throws -> Float {
        precondition(users.count == items.count && users.count > 0,
                     "Trainer.step: \(users.count) users and \(items.count) items (expected equal, non-zero)")
        let b = items.count
        // 1. Corpus draws, then one item-tower pass over positives and drawn ids.
        itemRows.removeAll(keepingCapacity: true)
        itemRows.append(contentsOf: items)
        sampledOffsets.removeAll(keepingCapacity: true)
        for (_, sampler) in corpusSamplers {
            sampledOffsets.append(itemRows.count)
            for id in sampler.sampleIds() { itemRows.append(Int32(id)) }
        }
        let itemOutput = model.itemTower.forward(rows: itemRows, training: true)
        let d = itemOutput.columns
        copyRows(itemOutput, 0..<b, into: &batch.embeddings)
        for (k, (_, sampler)) in corpusSamplers.enumerated() {
            copyRows(itemOutput, sampledRows(k), into: &sampled)
            try sampler.provideEmbeddings(sampled)
        }
        let queries = model.queryTower.forward(rows: users, training: true, targets: items)

        // 2. Scores, loss and its gradient.
        batch.metadata["item_id"]!.removeAll(keepingCapacity: true)
        for item in items { batch.metadata["item_id"]!.append(Int(item)) }
        let scores = try scorer(query: queries, items: batch, training: true)
        let value = scorer.lossAndGradient(scores, loss: loss)
        lastLoss = value
        guard value.isFinite else {
            throw TrainingError.nonFiniteLoss(epoch: epoch, step: globalStep + 1, loss: value,
                                              learningRate: optimizer.learningRate, temperature: configuration.temperature)
        }

        // 3. Backward through both towers.
        let gradients = scorer.backward()
        itemGradient.reshape(rows: itemRows.count, columns: d)
        copyRows(gradients.items, into: &itemGradient, at: 0)
        for (k, (index, _)) in corpusSamplers.enumerated() {
            if let g = gradients.sampledNegatives.first(where: { $0.samplerIndex == index }) {
                copyRows(g.embeddings, into: &itemGradient, at: sampledOffsets[k])
            } else {
                zeroRows(&itemGradient, sampledRows(k))
            }
        }
        model.itemTower.backward(itemGradient)
        model.queryTower.backward(gradients.query)
        scorer.endStep()

        // 4. Update.
        if let maxNorm = configuration.clipNorm { _ = clipGradientsByGlobalNorm(parameters, maxNorm: maxNorm) }
        optimizer.step(parameters)
        globalStep += 1
        return value
    }
}

extension Trainer {
    /// The rows of the item-tower pass holding the `k`-th corpus sampler's drawn ids.
    private func sampledRows(_ k: Int) -> Range<Int> {
        sampledOffsets[k] ..< (k + 1 < sampledOffsets.count ? sampledOffsets[k + 1] : itemRows.count)
    }
}

/// Copies rows `range` of `source` into `destination` (reshaped to `[range.count, columns]`).
func copyRows(_ source: Matrix, _ range: Range<Int>, into destination: inout Matrix) {
    let d = source.columns
    destination.reshape(rows: range.count, columns: d)
    source.withUnsafeBufferPointer { s in
        destination.withUnsafeMutableBufferPointer { t in
            guard range.count > 0 else { return }
            t.baseAddress!.update(from: s.baseAddress! + range.lowerBound * d, count: range.count * d)
        }
    }
}

/// Copies all of `source` into `destination` starting at row `row` (same width).
func copyRows(_ source: Matrix, into destination: inout Matrix, at row: Int) {
    precondition(source.columns == destination.columns && row + source.rows <= destination.rows,
                 "copyRows: \(source.rows)×\(source.columns) does not fit at row \(row) of \(destination.rows)×\(destination.columns)")
    let d = source.columns
    source.withUnsafeBufferPointer { s in
        destination.withUnsafeMutableBufferPointer { t in
            guard source.count > 0 else { return }
            (t.baseAddress! + row * d).update(from: s.baseAddress!, count: source.count)
        }
    }
}

/// Sets rows `range` of `matrix` to zero.
func zeroRows(_ matrix: inout Matrix, _ range: Range<Int>) {
    let d = matrix.columns
    matrix.withUnsafeMutableBufferPointer { t in
        for i in range.lowerBound * d ..< range.upperBound * d { t[i] = 0 }
    }
}
