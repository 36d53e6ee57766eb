import TowerCore

/// A fully connected layer `y = f(x·W + b)`.
///
/// ```
/// input  x: [batch, inputSize]
/// weight W: [inputSize, outputSize]   row-major (W[i, j] connects input i to output j)
/// bias   b: [1, outputSize]
/// output y: [batch, outputSize]
/// ```
///
/// `backward` overwrites `weight.gradient = xᵀ·dz` and `bias.gradient = Σ_rows dz`, where
/// `dz = dy ⊙ f'(z)`, and returns `dx = dz·Wᵀ`. Products go through ``TowerCore/gemm``.
public final class Dense: Layer {
    /// Weights `[inputSize, outputSize]`.
    public let weight: Parameter
    /// Bias `[1, outputSize]`.
    public let bias: Parameter
    /// Applied after the affine map (`.identity` for none).
    public let activation: Activation
    /// Input width.
    public let inputSize: Int
    /// Output width.
    public let outputSize: Int

    private var input = Matrix(rows: 0, columns: 0)           // x, copied (training only)
    private var preactivation = Matrix(rows: 0, columns: 0)   // z (GELU only)
    private var output = Matrix(rows: 0, columns: 0)          // y
    private var preactivationGradient = Matrix(rows: 0, columns: 0)  // dz
    private var inputGradient = Matrix(rows: 0, columns: 0)   // dx

    /// A dense layer with weights drawn from `initializer` (fan-in `inputSize`, fan-out
    /// `outputSize`) and zero bias.
    /// - Parameters:
    ///   - activation: applied elementwise after the affine map; `nil` means identity.
    ///   - initializer: defaults to He normal for ReLU/GELU, Glorot uniform otherwise.
    ///   - name: prefix of the parameter names (`"<name>.weight"`, `"<name>.bias"`).
    public init(inputSize: Int, outputSize: Int, activation: Activation? = nil,
                initializer: Initializer? = nil, name: String = "dense",
                rng: inout some RandomNumberGenerator) {
        precondition(inputSize > 0 && outputSize > 0,
                     "Dense: sizes must be positive, found inputSize \(inputSize), outputSize \(outputSize)")
        let activation = activation ?? .identity
        let initializer = initializer ?? ((activation == .relu || activation == .gelu) ? .heNormal : .glorotUniform)
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.activation = activation
        self.weight = Parameter(name: name + ".weight",
                                value: initializer.matrix(rows: inputSize, columns: outputSize, using: &rng))
        self.bias = Parameter(name: name + ".bias", value: Matrix(rows: 1, columns: outputSize))
    }

    /// A dense layer seeded with `seed` (a fresh ``TowerCore/Xoshiro256``).
    public convenience init(inputSize: Int, outputSize: Int, activation: Activation? = nil,
                            initializer: Initializer? = nil, name: String = "dense", seed: UInt64) {
        var rng = Xoshiro256(seed: seed)
        self.init(inputSize: inputSize, outputSize: outputSize, activation: activation,
                  initializer: initializer, name: name, rng: &rng)
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        precondition(input.columns == inputSize,
                     "Dense.forward: input is \(input.rows)×\(input.columns), expected \(inputSize) columns")
        let batch = input.rows, m = outputSize
        if training { copyMatrix(input, into: &self.input) }
        let keepZ = activation.needsPreactivation
        // z = x·W + b: fill with the bias rows, then gemm with beta = 1.
        if keepZ {
            fillWithBias(&preactivation, batch: batch)
            gemm(.none, .none, input, weight.value, beta: 1, into: &preactivation)
            output.reshape(rows: batch, columns: m)
            let f = activation, n = batch * m
            preactivation.withUnsafeBufferPointer { z in
                output.withUnsafeMutableBufferPointer { y in
                    if n > 0 { f.apply(n, z.baseAddress!, y.baseAddress!) }
                }
            }
        } else {
            fillWithBias(&output, batch: batch)
            gemm(.none, .none, input, weight.value, beta: 1, into: &output)
            if activation != .identity {
                let f = activation, n = batch * m
                output.withUnsafeMutableBufferPointer { y in
                    if n > 0 { f.apply(n, UnsafePointer(y.baseAddress!), y.baseAddress!) }
                }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Matrix) -> Matrix {
        precondition(outputGradient.rows == output.rows && outputGradient.columns == outputSize,
                     "Dense.backward: gradient is \(outputGradient.rows)×\(outputGradient.columns), expected \(output.rows)×\(outputSize)")
        precondition(input.rows == output.rows,
                     "Dense.backward: no cached input for this batch (call forward with training: true first)")
        let batch = output.rows, m = outputSize
        let dz: Matrix
        if activation == .identity {
            dz = outputGradient
        } else {
            preactivationGradient.reshape(rows: batch, columns: m)
            let f = activation, n = batch * m
            if n > 0 {
                outputGradient.withUnsafeBufferPointer { dy in
                    output.withUnsafeBufferPointer { y in
                        preactivation.withUnsafeBufferPointer { z in
                            preactivationGradient.withUnsafeMutableBufferPointer { dzp in
                                f.gradient(n, outputGradient: dy.baseAddress!,
                                           preactivation: f.needsPreactivation ? z.baseAddress! : nil,
                                           output: y.baseAddress!, into: dzp.baseAddress!)
                            }
                        }
                    }
                }
            }
            dz = preactivationGradient
        }
        // dW = xᵀ·dz (overwrite), db = Σ_rows dz (overwrite), dx = dz·Wᵀ.
        gemm(.transposed, .none, input, dz, beta: 0, into: &weight.gradient)
        bias.gradient.withUnsafeMutableBufferPointer { db in
            db.update(repeating: 0)
            dz.withUnsafeBufferPointer { g in
                for r in 0..<batch { addScaled(m, 1, g.baseAddress! + r * m, db.baseAddress!) }
            }
        }
        inputGradient.reshape(rows: batch, columns: inputSize)
        gemm(.none, .transposed, dz, weight.value, beta: 0, into: &inputGradient)
        return inputGradient
    }

    private func fillWithBias(_ matrix: inout Matrix, batch: Int) {
        let m = outputSize
        matrix.reshape(rows: batch, columns: m)
        bias.value.withUnsafeBufferPointer { b in
            matrix.withUnsafeMutableBufferPointer { z in
                for r in 0..<batch { (z.baseAddress! + r * m).update(from: b.baseAddress!, count: m) }
            }
        }
    }
}
