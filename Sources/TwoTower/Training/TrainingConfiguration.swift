/// How the towers are built. Stored in the model directory's `config.json`.
public struct ModelConfiguration: Codable, Sendable, Equatable {
    /// The tower architecture.
    public enum TowerKind: String, Codable, Sendable, CaseIterable {
        /// Matrix factorisation: each tower is an id embedding of `dimensions` (Merlin's MatrixFactorizationModel).
        case mf
        /// Id embedding (+ side features) → MLP with `hiddenLayers` → `dimensions` (Merlin's TwoTowerModel).
        case mlp
    }

    public var tower: TowerKind = .mf
    /// The output dimension shared by both towers (the dot-product space).
    public var dimensions: Int = 64
    /// Id/feature embedding width for MLP towers; `nil` uses `dimensions`. Ignored when
    /// `inferEmbeddingSizes` is on.
    public var embeddingDimensions: Int? = nil
    /// Merlin's rule: `ceil(cardinality^0.25 × 2)` rounded up to a multiple of 8, per table.
    public var inferEmbeddingSizes: Bool = false
    /// Hidden layer widths of the MLP towers (ReLU); the last layer maps to `dimensions` without activation.
    public var hiddenLayers: [Int] = [128]
    /// L2-normalise both towers' outputs (cosine scores; pair with a temperature such as 0.05).
    public var l2Normalize: Bool = false
    /// Use the item side features the data provides (e.g. MovieLens genres) in the item tower (MLP only).
    public var useItemFeatures: Bool = true
    /// Dropout rate after each hidden layer at training time (MLP only).
    public var dropout: Float = 0
    /// Add the user's `n` most recent training items as a mean-pooled bag to the query tower
    /// (MLP only; YouTube-DNN style). The positive is left out of its own bag while training.
    public var userHistory: Int? = nil

    public init() {}

    /// Checks ranges; throws a ``ConfigurationError`` naming the field.
    public func validate() throws {
        guard dimensions > 0 else { throw ConfigurationError("{dimensions} must be positive, found \(dimensions)") }
        if let e = embeddingDimensions, e <= 0 {
            throw ConfigurationError("{embeddingDimensions} must be positive, found \(e)")
        }
        if let bad = hiddenLayers.first(where: { $0 <= 0 }) {
            throw ConfigurationError("{hiddenLayers}: every width must be positive, found \(bad)")
        }
        guard dropout >= 0 && dropout < 1 else { throw ConfigurationError("{dropout} must be in [0, 1), found \(dropout)") }
        if let h = userHistory {
            guard h > 0 else { throw ConfigurationError("{userHistory} must be positive, found \(h)") }
            guard tower == .mlp else { throw ConfigurationError("{userHistory} needs {tower} mlp (an mf tower has no side features)") }
        }
    }
}

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
    /// gradient of the same rows; Adagrad ignores it.
    public var weightDecay: Float = 0
    /// Clip gradients by this global norm (none when `nil`).
    public var clipNorm: Float? = nil
    /// Linear learning-rate warm-up steps.
    public var warmupSteps: Int = 0
    public var seed: UInt64 = 42
    public var samplers: [SamplerSpecification] = [.inBatch]
    public var logQ: LogQMode = .streaming
    public var temperature: Float = 1
    /// logQ then temperature (`merlin`, the default) or the reverse (`tfrs`).
    public var temperatureOrder: TemperatureOrder = .logQThenTemperature
    public var downscoreFalseNegatives: Bool = true
    public var falseNegativeScore: Float = -655.04
    /// Softmax cross-entropy (`softmax`, the default) or BPR (`bpr`).
    public var loss: RetrievalLoss = .softmaxCrossEntropy
    /// Stop when the validation metric has not improved for this many epochs (`nil`: never, and
    /// no validation set is held out). On by default: the right number of epochs depends on the data.
    public var patience: Int? = 2
    /// The validation metric early stopping watches, e.g. `recall@20`.
    public var validationMetric: String = "recall@20"
    /// Drop the last incomplete batch of each epoch.
    public var dropLast: Bool = false

    public init() {}

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
        guard !samplers.isEmpty else { throw ConfigurationError("at least one of {samplers} is needed (e.g. in-batch)") }
        if let p = patience, p <= 0 { throw ConfigurationError("{patience} must be positive, found \(p)") }
        if let c = clipNorm, !(c > 0) { throw ConfigurationError("{clipNorm} must be positive, found \(c)") }
        guard weightDecay >= 0 else { throw ConfigurationError("{weightDecay} must be ≥ 0, found \(weightDecay)") }
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
