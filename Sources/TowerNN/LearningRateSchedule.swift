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
public struct LinearWarmup<After: LearningRateSchedule>: LearningRateSchedule {
    public let warmupSteps: Int
    public let after: After

    /// A warm-up of `warmupSteps` steps followed by `after`.
    public init(warmupSteps: Int, after: After) {
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
