import TowerNN

/// How the learning rate falls after warm-up, over the `epochs` maximum of a run
/// (``TrainingConfiguration/learningRateDecay``). Early stopping may end a run before the decay
/// reaches its end.
public enum LearningRateDecay: String, Codable, Sendable, CaseIterable {
    /// Constant after warm-up (the default).
    case none
    /// Cosine from `learningRate` to `minimumLearningRate` (Keras `CosineDecay`; SGDR without restarts).
    case cosine
    /// Linear from `learningRate` to `minimumLearningRate` (Keras `PolynomialDecay`, power 1).
    case linear
    /// `learningRate · rate^(epochs since warm-up)`, continuous in the step (Keras `ExponentialDecay`
    /// with `decay_steps` = one epoch).
    case exponential
}

extension TrainingConfiguration {
    /// ``learningRateDecayRate`` with its default.
    public var decayRatePerEpoch: Float { learningRateDecayRate ?? 0.9 }

    /// Checks warm-up and decay settings; throws a ``ConfigurationError`` naming the fields.
    func validateSchedule() throws {
        guard warmupSteps >= 0 else { throw ConfigurationError("{warmupSteps} must be ≥ 0, found \(warmupSteps)") }
        let decay = learningRateDecay ?? .none
        if let rate = learningRateDecayRate {
            guard decay == .exponential else {
                throw ConfigurationError("{learningRateDecayRate} applies to {learningRateDecay} exponential only (the decay is \(decay.rawValue))")
            }
            guard rate > 0, rate <= 1 else {
                throw ConfigurationError("{learningRateDecayRate} must be in (0, 1] (the factor per epoch), found \(rate)")
            }
        }
        if let floor = minimumLearningRate {
            guard decay == .cosine || decay == .linear else {
                throw ConfigurationError("{minimumLearningRate} applies to {learningRateDecay} cosine or linear only (the decay is \(decay.rawValue))")
            }
            guard floor >= 0, floor < learningRate else {
                throw ConfigurationError("{minimumLearningRate} must be in [0, {learningRate} = \(learningRate)), found \(floor)")
            }
        }
    }

    /// The learning-rate schedule of a run whose epochs hold `stepsPerEpoch` steps: linear warm-up
    /// over ``warmupSteps``, then ``learningRateDecay`` over the remaining `epochs · stepsPerEpoch`
    /// steps; `nil` for a constant rate.
    public func schedule(stepsPerEpoch: Int) -> (any LearningRateSchedule)? {
        let steps = max(stepsPerEpoch, 1)
        let (total, overflow) = epochs.multipliedReportingOverflow(by: steps)  // --epochs Int.max saturates
        let decaySteps = max((overflow ? Int.max : total) - warmupSteps, 1)
        let floor = minimumLearningRate ?? 0
        let after: any LearningRateSchedule
        switch learningRateDecay ?? .none {
        case .none:
            guard warmupSteps > 0 else { return nil }
            return LinearWarmup(warmupSteps: warmupSteps, after: ConstantLearningRate(learningRate))
        case .cosine:
            after = CosineDecay(initialLearningRate: learningRate, finalLearningRate: floor, decaySteps: decaySteps)
        case .linear:
            after = LinearDecay(initialLearningRate: learningRate, finalLearningRate: floor, decaySteps: decaySteps)
        case .exponential:
            after = ExponentialDecay(initialLearningRate: learningRate, decaySteps: steps, decayRate: decayRatePerEpoch)
        }
        return warmupSteps > 0 ? LinearWarmup(warmupSteps: warmupSteps, after: after) : after
    }
}
