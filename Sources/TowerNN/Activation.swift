import TowerCore

/// An elementwise nonlinearity, used inside ``Dense`` or as an ``ActivationLayer``.
public enum Activation: String, Sendable, Equatable, CaseIterable {
    /// `f(z) = z`.
    case identity
    /// `f(z) = max(0, z)`; the derivative at 0 is taken as 0.
    case relu
    /// Exact GELU, `f(z) = z·Φ(z) = ½·z·(1 + erf(z/√2))`.
    case gelu
    /// `f(z) = tanh(z)`.
    case tanh
    /// `f(z) = 1 / (1 + e^(−z))`.
    case sigmoid

    /// Whether the derivative needs the pre-activation `z` (otherwise the output `y` suffices).
    var needsPreactivation: Bool { self == .gelu }

    /// `y[i] = f(z[i])` for `i < n`; `z` and `y` may be the same buffer.
    func apply(_ n: Int, _ z: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        switch self {
        case .identity:
            if UnsafePointer(y) != z { y.update(from: z, count: n) }
        case .relu:
            for i in 0..<n { let v = z[i]; y[i] = v > 0 ? v : 0 }
        case .gelu:
            let invSqrt2: Float = 0.707_106_77
            for i in 0..<n { let v = z[i]; y[i] = 0.5 * v * (1 + libmErf(v * invSqrt2)) }
        case .tanh:
            for i in 0..<n { y[i] = libmTanh(z[i]) }
        case .sigmoid:
            for i in 0..<n { y[i] = 1 / (1 + libmExp(-z[i])) }
        }
    }

    /// `dz[i] = dy[i] · f'(z[i])`, with `f'` computed from `y = f(z)` (or from `z` for GELU);
    /// `dz` may alias `dy`.
    func gradient(_ n: Int, outputGradient dy: UnsafePointer<Float>, preactivation z: UnsafePointer<Float>?,
                  output y: UnsafePointer<Float>, into dz: UnsafeMutablePointer<Float>) {
        switch self {
        case .identity:
            if UnsafePointer(dz) != dy { dz.update(from: dy, count: n) }
        case .relu:
            for i in 0..<n { dz[i] = y[i] > 0 ? dy[i] : 0 }
        case .gelu:
            let z = z!
            let invSqrt2: Float = 0.707_106_77, invSqrt2Pi: Float = 0.398_942_3
            for i in 0..<n {
                let v = z[i]
                let cdf = 0.5 * (1 + libmErf(v * invSqrt2))
                let pdf = invSqrt2Pi * libmExp(-0.5 * v * v)
                dz[i] = dy[i] * (cdf + v * pdf)
            }
        case .tanh:
            for i in 0..<n { let t = y[i]; dz[i] = dy[i] * (1 - t * t) }
        case .sigmoid:
            for i in 0..<n { let s = y[i]; dz[i] = dy[i] * s * (1 - s) }
        }
    }
}

/// A parameter-free layer applying an ``Activation`` elementwise. `[batch, n] → [batch, n]`.
public final class ActivationLayer: Layer {
    /// The function applied.
    public let activation: Activation
    private var input = Matrix(rows: 0, columns: 0)
    private var output = Matrix(rows: 0, columns: 0)
    private var inputGradient = Matrix(rows: 0, columns: 0)

    /// A layer applying `activation`.
    public init(_ activation: Activation) { self.activation = activation }

    public var parameters: [Parameter] { [] }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        if activation.needsPreactivation && training { copyMatrix(input, into: &self.input) }
        output.reshape(rows: input.rows, columns: input.columns)
        let n = input.count, f = activation
        input.withUnsafeBufferPointer { z in
            output.withUnsafeMutableBufferPointer { y in
                if n > 0 { f.apply(n, z.baseAddress!, y.baseAddress!) }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Matrix) -> Matrix {
        precondition(outputGradient.rows == output.rows && outputGradient.columns == output.columns,
                     "ActivationLayer.backward: gradient is \(outputGradient.rows)×\(outputGradient.columns), output was \(output.rows)×\(output.columns)")
        inputGradient.reshape(rows: output.rows, columns: output.columns)
        let n = output.count, f = activation
        guard n > 0 else { return inputGradient }
        outputGradient.withUnsafeBufferPointer { dy in
            output.withUnsafeBufferPointer { y in
                input.withUnsafeBufferPointer { z in
                    inputGradient.withUnsafeMutableBufferPointer { dz in
                        f.gradient(n, outputGradient: dy.baseAddress!,
                                   preactivation: f.needsPreactivation ? z.baseAddress! : nil,
                                   output: y.baseAddress!, into: dz.baseAddress!)
                    }
                }
            }
        }
        return inputGradient
    }
}
