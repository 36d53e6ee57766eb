/// A learning rate as a function of the number of steps already taken (0 for the first step).
public protocol LearningRateSchedule: Sendable {
    /// The learning rate for the step after `step` steps.
    func learningRate(atStep step: Int) -> Float
}

/// The same learning rate at every step.
public struct ConstantLearningRate: LearningRateSchedule {
    /// The rate.
    public let value: Float
    /// A constant schedule.
    public init(_ value: Float) { self.value = value }
    public func learningRate(atStep step: Int) -> Float { value }
}

/// `initial · rate^(step / decaySteps)`, with the exponent floored when `staircase` (as Keras'
/// `ExponentialDecay`).
public struct ExponentialDecay: LearningRateSchedule {
    public let initialLearningRate: Float
    public let decaySteps: Int
    public let decayRate: Float
    public let staircase: Bool

    /// An exponential decay schedule.
    public init(initialLearningRate: Float, decaySteps: Int, decayRate: Float, staircase: Bool = false) {
        precondition(decaySteps > 0, "ExponentialDecay: decaySteps must be positive, found \(decaySteps)")
        precondition(decayRate > 0, "ExponentialDecay: decayRate must be positive, found \(decayRate)")
        self.initialLearningRate = initialLearningRate
        self.decaySteps = decaySteps
        self.decayRate = decayRate
        self.staircase = staircase
    }

    public func learningRate(atStep step: Int) -> Float {
        var exponent = Double(step) / Double(decaySteps)
        if staircase { exponent = exponent.rounded(.down) }
        return Float(Double(initialLearningRate) * libmPow(Double(decayRate), exponent))
    }
}

/// Linear warm-up in front of another schedule: for `step < warmupSteps` the rate is
/// `after.learningRate(atStep: 0) · (step + 1) / warmupSteps`; afterwards it is
/// `after.learningRate(atStep: step − warmupSteps)` (the wrapped schedule starts when warm-up ends).
public struct LinearWarmup: LearningRateSchedule {
    public let warmupSteps: Int
    public let after: any LearningRateSchedule

    /// A warm-up of `warmupSteps` steps followed by `after`.
    public init(warmupSteps: Int, after: any LearningRateSchedule) {
        precondition(warmupSteps >= 0, "LinearWarmup: warmupSteps must be non-negative, found \(warmupSteps)")
        self.warmupSteps = warmupSteps
        self.after = after
    }

    public func learningRate(atStep step: Int) -> Float {
        if step < warmupSteps {
            return after.learningRate(atStep: 0) * Float(step + 1) / Float(warmupSteps)
        }
        return after.learningRate(atStep: step - warmupSteps)
    }
}

/// Cosine decay from `initialLearningRate` to `finalLearningRate` over `decaySteps` steps, then
/// constant: `final + (initial − final) · ½(1 + cos(π · min(step, decaySteps) / decaySteps))`
/// (Keras' `CosineDecay` with `alpha = final / initial`; Loshchilov & Hutter 2017 without restarts).
public struct CosineDecay: LearningRateSchedule {
    public let initialLearningRate: Float
    public let finalLearningRate: Float
    public let decaySteps: Int

    /// A cosine decay schedule.
    public init(initialLearningRate: Float, finalLearningRate: Float = 0, decaySteps: Int) {
        precondition(decaySteps > 0, "CosineDecay: decaySteps must be positive, found \(decaySteps)")
        self.initialLearningRate = initialLearningRate
        self.finalLearningRate = finalLearningRate
        self.decaySteps = decaySteps
    }

    public func learningRate(atStep step: Int) -> Float {
        let factor = 0.5 * (1 + libmCos(Double.pi * decayProgress(step, decaySteps)))
        return Float(Double(finalLearningRate) + Double(initialLearningRate - finalLearningRate) * factor)
    }
}

/// Linear decay from `initialLearningRate` to `finalLearningRate` over `decaySteps` steps, then
/// constant (Keras' `PolynomialDecay` with power 1).
public struct LinearDecay: LearningRateSchedule {
    public let initialLearningRate: Float
    public let finalLearningRate: Float
    public let decaySteps: Int

    /// A linear decay schedule.
    public init(initialLearningRate: Float, finalLearningRate: Float = 0, decaySteps: Int) {
        precondition(decaySteps > 0, "LinearDecay: decaySteps must be positive, found \(decaySteps)")
        self.initialLearningRate = initialLearningRate
        self.finalLearningRate = finalLearningRate
        self.decaySteps = decaySteps
    }

    public func learningRate(atStep step: Int) -> Float {
        return Float(Double(initialLearningRate) + Double(finalLearningRate - initialLearningRate) * decayProgress(step, decaySteps))
    }
}

/// `step / decaySteps` clamped to [0, 1]: how far a decay over `decaySteps` steps has gone.
@inline(__always)
private func decayProgress(_ step: Int, _ decaySteps: Int) -> Double {
    Double(Swift.min(Swift.max(step, 0), decaySteps)) / Double(decaySteps)
}
