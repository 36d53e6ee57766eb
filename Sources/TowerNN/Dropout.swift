import TowerCore

/// Inverted dropout: in training each element is kept with probability `1 − rate` and scaled by
/// `1 / (1 − rate)`, so inference (`training: false`) is the identity. `[batch, n] → [batch, n]`.
///
/// The mask comes from the layer's own seeded ``TowerCore/Xoshiro256``: the same seed and the
/// same sequence of batch shapes give the same masks. `backward` multiplies by the mask of the
/// last training `forward` (and is the identity after an inference `forward`).
public final class Dropout: Layer {
    /// Probability of zeroing an element, in `[0, 1)`.
    public let rate: Float
    var rng: Xoshiro256
    private var mask = Matrix(rows: 0, columns: 0)    // 0 or 1/(1-rate), [batch, n]
    private var output = Matrix(rows: 0, columns: 0)
    private var inputGradient = Matrix(rows: 0, columns: 0)
    private var maskIsActive = false

    /// A dropout layer zeroing with probability `rate`, masks drawn from `seed`.
    public init(rate: Float, seed: UInt64) {
        precondition(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1), found \(rate)")
        self.rate = rate
        self.rng = Xoshiro256(seed: seed)
    }

    public var parameters: [Parameter] { [] }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        maskIsActive = training && rate > 0
        guard maskIsActive else { return input }
        let n = input.count
        mask.reshape(rows: input.rows, columns: input.columns)
        output.reshape(rows: input.rows, columns: input.columns)
        let scale = 1 / (1 - rate)
        // Keep when a 24-bit uniform u/2^24 >= rate.
        let threshold = UInt32((Double(rate) * 16_777_216).rounded(.up))
        var generator = rng
        mask.withUnsafeMutableBufferPointer { m in
            var i = 0
            while i < n {
                let bits = generator.next()
                let a = UInt32(truncatingIfNeeded: bits >> 40)
                m[i] = a >= threshold ? scale : 0
                if i + 1 < n {
                    let b = UInt32(truncatingIfNeeded: (bits >> 8) & 0xFF_FFFF)
                    m[i + 1] = b >= threshold ? scale : 0
                }
                i += 2
            }
        }
        rng = generator
        input.withUnsafeBufferPointer { x in
            mask.withUnsafeBufferPointer { m in
                output.withUnsafeMutableBufferPointer { y in
                    for i in 0..<n { y[i] = x[i] * m[i] }
                }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Matrix) -> Matrix {
        guard maskIsActive else { return outputGradient }
        precondition(outputGradient.rows == mask.rows && outputGradient.columns == mask.columns,
                     "Dropout.backward: gradient is \(outputGradient.rows)×\(outputGradient.columns), mask is \(mask.rows)×\(mask.columns)")
        let n = mask.count
        inputGradient.reshape(rows: mask.rows, columns: mask.columns)
        outputGradient.withUnsafeBufferPointer { dy in
            mask.withUnsafeBufferPointer { m in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    for i in 0..<n { dx[i] = dy[i] * m[i] }
                }
            }
        }
        return inputGradient
    }
}

extension Dropout {
    /// The mask generator's state (``Xoshiro256/state``), for checkpoints.
    public var generatorState: [UInt64] {
        get { rng.state }
        set { rng = Xoshiro256(state: newValue) }
    }
}
