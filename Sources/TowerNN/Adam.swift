import TowerCore

/// Adam (Kingma & Ba 2015) with decoupled weight decay (AdamW, Loshchilov & Hutter 2019), dense
/// and lazy-sparse.
///
/// At step `t` (``stepCount`` after increment, the optimizer's **global** step):
/// ```
/// w ← w·(1 − lr·weightDecay)                         (decoupled decay, skipped when 0)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// w ← w − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + epsilon)
/// ```
/// Sparse parameters get **lazy Adam** (TensorFlow Addons' `LazyAdam`): only the rows touched
/// in this batch update their `m`, `v`, decay and values; bias correction still uses the global
/// step `t`. Untouched rows keep their values and moments exactly.
public final class Adam: Optimizer {
    public var learningRate: Float
    public var schedule: (any LearningRateSchedule)?
    public internal(set) var stepCount = 0
    /// First-moment decay.
    public let beta1: Float
    /// Second-moment decay.
    public let beta2: Float
    /// Added to the corrected `√v`.
    public let epsilon: Float
    /// Decoupled weight decay per unit learning rate (0 = plain Adam).
    public let weightDecay: Float
    var state = OptimizerState()

    /// An Adam/AdamW optimizer.
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
                weightDecay: Float = 0, schedule: (any LearningRateSchedule)? = nil) {
        precondition(learningRate >= 0, "Adam: learning rate must be non-negative, found \(learningRate)")
        precondition(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1,
                     "Adam: betas must be in [0, 1), found beta1 \(beta1), beta2 \(beta2)")
        precondition(epsilon >= 0, "Adam: epsilon must be non-negative, found \(epsilon)")
        precondition(weightDecay >= 0, "Adam: weight decay must be non-negative, found \(weightDecay)")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.schedule = schedule
    }

    public func step(_ parameters: [Parameter]) {
        if let schedule { learningRate = schedule.learningRate(atStep: stepCount) }
        stepCount += 1
        let t = Double(stepCount)
        let lr = learningRate, b1 = beta1, b2 = beta2, eps = epsilon
        let stepSize = Float(Double(lr) / (1 - libmPow(Double(b1), t)))
        let inverseCorrection2 = Float(1 / (1 - libmPow(Double(b2), t)))
        let decay = 1 - lr * weightDecay, decays = weightDecay > 0
        let c1 = 1 - b1, c2 = 1 - b2
        for parameter in parameters {
            let slots = state.slots(for: parameter, count: 2)
            forEachUpdateBlock(parameter, slots) { n, w, g, first, second in
                let m = first!, v = second!
                if decays { for i in 0..<n { w[i] *= decay } }
                for i in 0..<n {
                    let gi = g[i]
                    let mi = b1 * m[i] + c1 * gi
                    let vi = b2 * v[i] + c2 * gi * gi
                    m[i] = mi
                    v[i] = vi
                    w[i] -= stepSize * mi / ((vi * inverseCorrection2).squareRoot() + eps)
                }
            }
        }
    }
}
