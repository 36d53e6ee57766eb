import TowerCore

/// Layers applied in order; `backward` runs them in reverse. Each layer keeps its own buffers,
/// so the chain adds no allocation.
public final class Sequential: Layer {
    /// The layers, first applied first.
    public let layers: [any Layer]

    /// A chain of `layers`.
    public init(_ layers: [any Layer]) { self.layers = layers }

    public var parameters: [Parameter] { layers.flatMap { $0.parameters } }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        var x = input
        for layer in layers { x = layer.forward(x, training: training) }
        return x
    }

    public func backward(_ outputGradient: Matrix) -> Matrix {
        var g = outputGradient
        for layer in layers.reversed() { g = layer.backward(g) }
        return g
    }

    public func zeroGradients() {
        for layer in layers { layer.zeroGradients() }
    }
}

/// Builds a multilayer perceptron as a ``Sequential``:
///
/// ```
/// [batch, inputSize] → (Dense(h₁, activation) → Dropout?) → … → (Dense(hₖ, activation) → Dropout?)
///                    → Dense(outputSize, no activation) → L2Normalize? → [batch, outputSize]
/// ```
///
/// Weights use He normal for ReLU/GELU, Glorot uniform otherwise; biases start at zero. Each
/// layer's generator and each dropout's seed are split from `seed`. Parameter names are
/// `"<name>.dense<i>.weight"` / `".bias"`.
/// - Parameters:
///   - dropout: rate after each hidden layer; `0` adds no dropout layer.
///   - l2Normalize: append row-wise L2 normalisation of the output.
public func MLP(inputSize: Int, hiddenSizes: [Int], outputSize: Int,
                activation: Activation = .relu, dropout: Float = 0, l2Normalize: Bool = false,
                seed: UInt64, name: String = "mlp") -> Sequential {
    precondition(dropout >= 0 && dropout < 1, "MLP: dropout must be in [0, 1), found \(dropout)")
    var rng = Xoshiro256(seed: seed)
    var layers: [any Layer] = []
    var width = inputSize
    for (i, hidden) in hiddenSizes.enumerated() {
        var layerRNG = rng.split(stream: UInt64(i))
        layers.append(Dense(inputSize: width, outputSize: hidden, activation: activation,
                            name: "\(name).dense\(i)", rng: &layerRNG))
        if dropout > 0 { layers.append(Dropout(rate: dropout, seed: rng.next())) }
        width = hidden
    }
    var lastRNG = rng.split(stream: UInt64(hiddenSizes.count))
    layers.append(Dense(inputSize: width, outputSize: outputSize, activation: nil,
                        initializer: .glorotUniform, name: "\(name).dense\(hiddenSizes.count)", rng: &lastRNG))
    if l2Normalize { layers.append(L2Normalize()) }
    return Sequential(layers)
}
