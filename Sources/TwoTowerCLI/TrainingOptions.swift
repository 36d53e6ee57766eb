import ArgumentParser
import TowerFormats
import TowerWorkflows
import TwoTower

/// Training options: optimisation, negatives and the scorer.
struct TrainingOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: "Maximum number of passes over the training interactions (early stopping usually ends sooner).")
    var epochs: Int = 20

    @Option(name: .long, parsing: .unconditional, help: "Examples per batch (also the number of in-batch negatives).")
    var batchSize: Int = 1024

    @Option(name: .long, help: "Optimizer: adam (lazy rows for embeddings), adagrad or sgd.")
    var optimizer: OptimizerKind = .adam

    @Option(name: .long, parsing: .unconditional, help: "Learning rate.")
    var learningRate: Float = 0.005

    @Option(name: .long, parsing: .unconditional, help: "Weight decay of every parameter the optimizer updates: decoupled for adam (AdamW), added to the gradient for sgd; not available with adagrad.")
    var weightDecay: Float = 0

    @Option(name: .long, parsing: .unconditional, help: "L2 penalty λ on the embedding rows each batch looks up, (λ/2)·Σ‖e‖² over every occurrence (users, positives, drawn negatives), reduced like the loss — BPR's and LightGCN's regulariser; 0 turns it off. (default: 0.1 with --loss softmax, chosen on MovieLens and synthetic data, see docs/QUALITY.md; 0 with bpr and ccl)")
    var embeddingL2: Float?

    @Option(name: .long, parsing: .unconditional, help: "Linear learning-rate warm-up over this many steps.")
    var warmupSteps: Int = 0

    @Option(name: .long, help: "Learning-rate decay after warm-up, over the --epochs maximum: none, cosine, linear (both down to --min-learning-rate) or exponential (--lr-decay-rate per epoch).")
    var lrDecay: LearningRateDecay = .none

    @Option(name: .long, parsing: .unconditional, help: "--lr-decay exponential: factor per epoch, in (0, 1]. (default: 0.9)")
    var lrDecayRate: Float?

    @Option(name: .long, parsing: .unconditional, help: "--lr-decay cosine or linear: the learning rate at the end of the last epoch. (default: 0)")
    var minLearningRate: Float?

    @Option(name: .long, parsing: .unconditional, help: "Clip gradients to this global norm.")
    var clipNorm: Float?

    @Option(name: .long, parsing: .unconditional, help: "Seed of every random choice (same seed, same model). (default: 42)", transform: parseSeed)
    var seed: UInt64 = 42

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp(
        "Negative sampler, repeatable for mixed negatives: \(SamplerSpecification.usage). Default: in-batch.",
        valueName: "sampler"))
    var sampler: [String] = []

    @Option(name: .long, help: "logQ correction: none (Merlin's default), static (train item frequencies), streaming (Yi et al. estimator, counted while training; the default) or sampler. --loss ccl needs none (its default there).")
    var logq: LogQMode?

    @Option(name: .long, parsing: .unconditional, help: "Logits temperature (divides the logits).")
    var temperature: Float = 1

    @Option(name: .long, help: "Order of logQ and temperature: merlin (logQ first) or tfrs (temperature first).")
    var temperatureOrder: TemperatureOrder = .logQThenTemperature

    @Flag(name: .long, help: "Keep negatives equal to the row's positive (Merlin downscores them by default).")
    var noFalseNegativeDownscoring = false

    @Option(name: .long, help: "Loss: softmax (sampled softmax cross-entropy), bpr, or ccl (SimpleX's cosine contrastive loss on raw cosine scores: needs --l2-normalize, --logq none, --temperature 1).")
    var loss: RetrievalLoss = .softmaxCrossEntropy

    @Option(name: .long, help: "How the loss reduces over a batch's rows: mean (Merlin, Keras; the default) or sum (TFRS's Retrieval task: gradient batch-size times larger, what TFRS's Adagrad learning rates assume).")
    var lossReduction: RetrievalLoss.Reduction = .mean

    @Option(name: .long, parsing: .unconditional, help: "ccl: margin m in [-1, 1); negatives with cosine above m are penalised (SimpleX tunes it in 0..1). (default: \(CosineContrastiveParameters.defaultMargin))")
    var cclMargin: Float?

    @Option(name: .long, parsing: .unconditional, help: "ccl: weight w of the negatives' mean hinge against the positive's 1 − cosine (SimpleX goes up to ~150 with many negatives). (default: \(CosineContrastiveParameters.defaultNegativeWeight))")
    var cclNegativeWeight: Float?

    @Option(name: .long, parsing: .unconditional, help: "Stop when the validation metric has not improved for this many epochs; the best epoch's parameters are kept. Needs a validation set, held out like the test set. (default: 2)")
    var patience: Int?

    @Flag(name: .long, help: "Train all --epochs without a validation set or early stopping.")
    var noEarlyStopping = false

    @Option(name: .long, help: "Metric watched by validation and early stopping, METRIC@K with K among --eval-k (default: recall@20, or recall at the largest --eval-k without 20).")
    var validationMetric: String?

    func configuration() throws -> TrainingConfiguration {
        var c = TrainingConfiguration()
        c.epochs = epochs
        c.batchSize = batchSize
        c.optimizer = optimizer
        c.learningRate = learningRate
        c.weightDecay = weightDecay
        c.clipNorm = clipNorm
        c.embeddingL2 = embeddingL2
        c.warmupSteps = warmupSteps
        c.learningRateDecay = lrDecay == .none ? nil : lrDecay
        c.learningRateDecayRate = lrDecayRate
        c.minimumLearningRate = minLearningRate
        c.seed = seed
        c.samplers = try sampler.isEmpty ? [.inBatch] : sampler.map { try SamplerSpecification(parsing: $0) }
        c.logQ = logq ?? (loss == .ccl ? .none : .streaming)
        c.temperature = temperature
        c.temperatureOrder = temperatureOrder
        c.downscoreFalseNegatives = !noFalseNegativeDownscoring
        c.loss = loss
        c.lossReduction = lossReduction
        c.cclMargin = cclMargin
        c.cclNegativeWeight = cclNegativeWeight
        c.patience = noEarlyStopping ? nil : (patience ?? 2)
        if let validationMetric { c.validationMetric = validationMetric }
        return c
    }
}
