/// Where the logQ correction takes each candidate's sampling probability from.
public enum LogQMode: String, Codable, Sendable, CaseIterable {
    /// No correction.
    case none
    /// A static table of item frequencies counted on the training data (Merlin's PopularityLogitsCorrection).
    case `static`
    /// The streaming frequency estimator of Yi et al. (2019), updated from every batch.
    case streaming
    /// The exact probabilities reported by the single sampler, which must be `popularity:N` or
    /// `uniform:N` (Merlin's `logq_sampling_correction`).
    case sampler
}

/// The optimizer family.
public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    case adam, adagrad, sgd
}

/// How training runs. Stored beside the model.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    public var epochs: Int = 20
    public var batchSize: Int = 1024
    public var optimizer: OptimizerKind = .adam
    public var learningRate: Float = 0.005
    /// Weight decay: Adam applies it decoupled (AdamW) to every parameter row it updates — dense
    /// parameters and the embedding rows a batch touched; SGD adds `weightDecay · w` to the
    /// gradient of the same rows; with Adagrad it is an error (Keras' Adagrad has none).
    public var weightDecay: Float = 0
    /// Clip gradients by this global norm (none when `nil`).
    public var clipNorm: Float? = nil
    /// Linear learning-rate warm-up steps (the rate climbs from `learningRate/warmupSteps` to
    /// `learningRate`, then the decay starts).
    public var warmupSteps: Int = 0
    /// The learning-rate decay after warm-up (`nil` = ``LearningRateDecay/none``), over the
    /// `epochs` maximum; read it through ``schedule(stepsPerEpoch:)``.
    public var learningRateDecay: LearningRateDecay? = nil
    /// ``LearningRateDecay/exponential``: the factor per epoch (`nil` = 0.9, in (0, 1]).
    public var learningRateDecayRate: Float? = nil
    /// ``LearningRateDecay/cosine`` and ``LearningRateDecay/linear``: the rate they end at (`nil` = 0),
    /// below `learningRate`.
    public var minimumLearningRate: Float? = nil
    /// L2 penalty `λ` on the id-embedding rows each batch looks up, every occurrence counted
    /// (users, positives and corpus-drawn negatives): `(λ/2)·Σ‖e‖²`, reduced over the batch like the
    /// loss (divided by `B` with the mean). What BPR implementations and LightGCN's `reg_loss` do;
    /// unlike weight decay it depends on how often a row is seen. `nil` = the default for the
    /// loss (``defaultEmbeddingL2`` with softmax, 0 with BPR and CCL); read it through ``resolvedEmbeddingL2``.
    public var embeddingL2: Float? = nil
    public var seed: UInt64 = 42
    public var samplers: [SamplerSpecification] = [.inBatch]
    public var logQ: LogQMode = .streaming
    public var temperature: Float = 1
    /// logQ then temperature (`merlin`, the default) or the reverse (`tfrs`).
    public var temperatureOrder: TemperatureOrder = .logQThenTemperature
    public var downscoreFalseNegatives: Bool = true
    public var falseNegativeScore: Float = -655.04
    /// Softmax cross-entropy (`softmax`, the default), BPR (`bpr`) or the cosine contrastive loss (`ccl`).
    public var loss: RetrievalLoss = .softmaxCrossEntropy
    /// How the loss reduces over a batch's rows: `mean` (Merlin, Keras) or `sum` (TFRS's Retrieval
    /// task: gradient B× the mean's). `nil` = mean (and configurations saved before the field
    /// existed decode to it); read it through ``reduction``.
    public var lossReduction: RetrievalLoss.Reduction? = nil
    /// ``RetrievalLoss/ccl``'s margin `m`; `nil` = ``CosineContrastiveParameters/defaultMargin`` (0.9).
    public var cclMargin: Float? = nil
    /// ``RetrievalLoss/ccl``'s negative weight `w`; `nil` = ``CosineContrastiveParameters/defaultNegativeWeight`` (1).
    public var cclNegativeWeight: Float? = nil
    /// Stop when the validation metric has not improved for this many epochs (`nil`: never, and
    /// no validation set is held out). On by default: the right number of epochs depends on the data.
    public var patience: Int? = 2
    /// The validation metric early stopping watches, e.g. `recall@20`.
    public var validationMetric: String = "recall@20"
    /// Drop the last incomplete batch of each epoch.
    public var dropLast: Bool = false

    public init() {}

    /// The embedding L2 penalty with softmax when none is set: 0.1, chosen by the study of
    /// docs/QUALITY.md (better on MovieLens with both splits, the embedded synthetic set and a
    /// check-in-shaped synthetic set; BPR and CCL lose with it, so they default to 0).
    public static let defaultEmbeddingL2: Float = 0.1
    /// ``embeddingL2`` with its default for the loss.
    public var resolvedEmbeddingL2: Float { embeddingL2 ?? (loss == .softmaxCrossEntropy ? Self.defaultEmbeddingL2 : 0) }

    /// ``lossReduction`` with its default.
    public var reduction: RetrievalLoss.Reduction { lossReduction ?? .mean }
    /// ``cclMargin`` and ``cclNegativeWeight`` with their defaults.
    public var cclParameters: CosineContrastiveParameters {
        CosineContrastiveParameters(margin: cclMargin ?? CosineContrastiveParameters.defaultMargin,
                                    negativeWeight: cclNegativeWeight ?? CosineContrastiveParameters.defaultNegativeWeight)
    }

    /// The smallest ``temperature`` accepted.
    public static let minimumTemperature: Float = 1e-4

    /// Checks ranges and combinations; throws a ``ConfigurationError`` naming the fields.
    public func validate() throws {
        guard epochs > 0 else { throw ConfigurationError("{epochs} must be positive, found \(epochs)") }
        guard batchSize > 0 else { throw ConfigurationError("{batchSize} must be positive, found \(batchSize)") }
        guard learningRate > 0, learningRate.isFinite else {
            throw ConfigurationError("{learningRate} must be a positive number, found \(learningRate)")
        }
        guard temperature > 0, temperature.isFinite else {
            throw ConfigurationError("{temperature} must be a positive number, found \(temperature)")
        }
        // Scores are divided by it: below 1e-4 a cosine score of 1 becomes a logit beyond 10⁴ and
        // the softmax degenerates to a hard max (the loss grows like 1/τ; TFRS and Merlin use 0.05-1).
        guard temperature >= Self.minimumTemperature else {
            throw ConfigurationError("{temperature} must be at least \(Self.minimumTemperature) (scores are divided by it; the usual range is 0.05-1), found \(temperature)")
        }
        guard !samplers.isEmpty else { throw ConfigurationError("at least one of {samplers} is needed (e.g. in-batch)") }
        if let cache = samplers.first, samplers.allSatisfy(\.isCache) {
            throw ConfigurationError("{samplers} \(samplers.map(\.description).joined(separator: ", ")): only caches of earlier batches, which are empty at the first step (nothing to use as negatives); add in-batch or a corpus sampler (uniform:N, popularity:N) beside them, e.g. {samplers} in-batch {samplers} \(cache)")
        }
        if let p = patience, p <= 0 { throw ConfigurationError("{patience} must be positive, found \(p)") }
        if let c = clipNorm, !(c > 0) { throw ConfigurationError("{clipNorm} must be positive, found \(c)") }
        guard weightDecay >= 0 else { throw ConfigurationError("{weightDecay} must be ≥ 0, found \(weightDecay)") }
        if weightDecay > 0, optimizer == .adagrad {
            throw ConfigurationError("{weightDecay} is not applied by {optimizer} adagrad (Keras' Adagrad has none); use {embeddingL2} to regularise the embedding rows, or adam (decoupled, AdamW) or sgd")
        }
        try validateSchedule()
        if let l2 = embeddingL2, !(l2 >= 0 && l2.isFinite) {
            throw ConfigurationError("{embeddingL2} must be a number ≥ 0, found \(l2)")
        }
        if loss != .ccl, cclMargin != nil || cclNegativeWeight != nil {
            throw ConfigurationError("{\(cclMargin != nil ? "cclMargin" : "cclNegativeWeight")} applies to {loss} ccl only (the loss is \(loss.rawValue))")
        }
        let ccl = cclParameters
        guard ccl.margin.isFinite, ccl.margin >= -1, ccl.margin < 1 else {
            throw ConfigurationError("{cclMargin} must be in [-1, 1) (a cosine similarity), found \(ccl.margin)")
        }
        guard ccl.negativeWeight.isFinite, ccl.negativeWeight >= 0 else {
            throw ConfigurationError("{cclNegativeWeight} must be ≥ 0, found \(ccl.negativeWeight)")
        }
        if loss == .ccl {
            guard logQ == .none else {
                throw ConfigurationError("{logQ} must be none with {loss} ccl (it scores raw cosine similarities), found \(logQ.rawValue)")
            }
            guard temperature == 1 else {
                throw ConfigurationError("{temperature} must stay 1 with {loss} ccl (it scores raw cosine similarities), found \(temperature)")
            }
        }
        if logQ == .sampler {
            let reportsProbabilities: Bool = switch samplers.first {
            case .popularity, .uniform: samplers.count == 1
            default: false
            }
            guard reportsProbabilities else {
                throw ConfigurationError("{logQ} sampler needs exactly one of {samplers}, one that reports probabilities (popularity:N or uniform:N); found \(samplers.map(\.description).joined(separator: ", "))")
            }
        }
    }
}
