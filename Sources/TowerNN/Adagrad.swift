import TowerCore

/// Adagrad (Duchi et al. 2011), as Keras:
/// ```
/// a ← a + g²;   w ← w − lr·g / (√a + epsilon)
/// ```
/// with the accumulator `a` starting at `initialAccumulator`. For sparse parameters only the
/// touched rows and their accumulators change.
public final class Adagrad: Optimizer {
    public var learningRate: Float
    public var schedule: (any LearningRateSchedule)?
    public internal(set) var stepCount = 0
    /// Starting value of every accumulator.
    public let initialAccumulator: Float
    /// Added to `√a`.
    public let epsilon: Float
    var state = OptimizerState()

    /// An Adagrad optimizer (Keras defaults `initialAccumulator` 0.1, `epsilon` 1e-7).
    public init(learningRate: Float, initialAccumulator: Float = 0.1, epsilon: Float = 1e-7,
                schedule: (any LearningRateSchedule)? = nil) {
        precondition(learningRate >= 0, "Adagrad: learning rate must be non-negative, found \(learningRate)")
        precondition(initialAccumulator >= 0, "Adagrad: initial accumulator must be non-negative, found \(initialAccumulator)")
        precondition(epsilon >= 0, "Adagrad: epsilon must be non-negative, found \(epsilon)")
        self.learningRate = learningRate
        self.initialAccumulator = initialAccumulator
        self.epsilon = epsilon
        self.schedule = schedule
    }

    public func step(_ parameters: [Parameter]) {
        if let schedule { learningRate = schedule.learningRate(atStep: stepCount) }
        stepCount += 1
        let lr = learningRate, eps = epsilon
        for parameter in parameters {
            let slots = state.slots(for: parameter, count: 1, initialValue: initialAccumulator)
            forEachUpdateBlock(parameter, slots) { n, w, g, accumulator, _ in
                let a = accumulator!
                for i in 0..<n {
                    let gi = g[i]
                    let ai = a[i] + gi * gi
                    a[i] = ai
                    w[i] -= lr * gi / (ai.squareRoot() + eps)
                }
            }
        }
    }
}
