import TowerCore

/// Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay.
///
/// With `g' = g + weightDecay·w` (L2 penalty added to the gradient):
/// ```
/// momentum == 0:  w ← w − lr·g'
/// otherwise:      v ← momentum·v + g';   w ← w − lr·v              (nesterov: w ← w − lr·(g' + momentum·v))
/// ```
/// (PyTorch's convention, no dampening.) For sparse parameters only touched rows change, and only
/// their velocity decays (lazy momentum); weight decay applies to the touched rows only.
public final class SGD: Optimizer {
    public var learningRate: Float
    public var schedule: (any LearningRateSchedule)?
    public internal(set) var stepCount = 0
    /// Momentum coefficient in `[0, 1)`.
    public let momentum: Float
    /// Use Nesterov momentum.
    public let nesterov: Bool
    /// L2 penalty coefficient added to the gradient.
    public let weightDecay: Float
    var state = OptimizerState()

    /// An SGD optimizer.
    public init(learningRate: Float, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0,
                schedule: (any LearningRateSchedule)? = nil) {
        precondition(learningRate >= 0, "SGD: learning rate must be non-negative, found \(learningRate)")
        precondition(momentum >= 0 && momentum < 1, "SGD: momentum must be in [0, 1), found \(momentum)")
        precondition(weightDecay >= 0, "SGD: weight decay must be non-negative, found \(weightDecay)")
        precondition(!nesterov || momentum > 0, "SGD: Nesterov momentum needs momentum > 0")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.schedule = schedule
    }

    public func step(_ parameters: [Parameter]) {
        if let schedule { learningRate = schedule.learningRate(atStep: stepCount) }
        stepCount += 1
        let lr = learningRate, mu = momentum, wd = weightDecay, nesterov = nesterov
        for parameter in parameters {
            let slots = mu > 0 ? state.slots(for: parameter, count: 1) : nil
            forEachUpdateBlock(parameter, slots) { n, w, g, velocity, _ in
                if let v = velocity {
                    if nesterov {
                        for i in 0..<n { let gi = g[i] + wd * w[i]; let vi = mu * v[i] + gi; v[i] = vi; w[i] -= lr * (gi + mu * vi) }
                    } else {
                        for i in 0..<n { let gi = g[i] + wd * w[i]; let vi = mu * v[i] + gi; v[i] = vi; w[i] -= lr * vi }
                    }
                } else {
                    for i in 0..<n { w[i] -= lr * (g[i] + wd * w[i]) }
                }
            }
        }
    }
}
