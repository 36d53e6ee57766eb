import TowerCore

/// Row-wise L2 normalisation `y = x / √(max(‖x‖², epsilon))` (TensorFlow's `l2_normalize`).
/// `[batch, n] → [batch, n]`.
///
/// Backward is the exact Jacobian–vector product of that formula: with `s = √(max(‖x‖², ε))`,
/// `dx = (dy − y·(y·dy)) / s` when `‖x‖² > ε`, and `dx = dy / s` otherwise (the norm is then
/// the constant `√ε`).
public final class L2Normalize: Layer {
    /// Lower bound on the squared norm (default `1e-12`).
    public let epsilon: Float
    private var output = Matrix(rows: 0, columns: 0)
    private var inverseNorms: [Float] = []      // 1/s per row
    private var clamped: [Bool] = []            // ‖x‖² <= ε per row
    private var inputGradient = Matrix(rows: 0, columns: 0)

    /// A normalisation layer with the given lower bound on the squared norm.
    public init(epsilon: Float = 1e-12) {
        precondition(epsilon > 0, "L2Normalize: epsilon must be positive, found \(epsilon)")
        self.epsilon = epsilon
    }

    public var parameters: [Parameter] { [] }

    public func forward(_ input: Matrix, training: Bool) -> Matrix {
        let rows = input.rows, d = input.columns, eps = Double(epsilon)
        output.reshape(rows: rows, columns: d)
        if inverseNorms.count < rows {
            inverseNorms.append(contentsOf: repeatElement(0, count: rows - inverseNorms.count))
            clamped.append(contentsOf: repeatElement(false, count: rows - clamped.count))
        }
        guard d > 0 else { return output }
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                inverseNorms.withUnsafeMutableBufferPointer { inv in
                    clamped.withUnsafeMutableBufferPointer { cl in
                        for r in 0..<rows {
                            let xr = x.baseAddress! + r * d, yr = y.baseAddress! + r * d
                            let squared = sumOfSquares(d, xr)
                            cl[r] = squared <= eps
                            let scale = Float(1 / Swift.max(squared, eps).squareRoot())
                            inv[r] = scale
                            for j in 0..<d { yr[j] = xr[j] * scale }
                        }
                    }
                }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Matrix) -> Matrix {
        precondition(outputGradient.rows == output.rows && outputGradient.columns == output.columns,
                     "L2Normalize.backward: gradient is \(outputGradient.rows)×\(outputGradient.columns), output was \(output.rows)×\(output.columns)")
        let rows = output.rows, d = output.columns
        inputGradient.reshape(rows: rows, columns: d)
        guard d > 0 else { return inputGradient }
        outputGradient.withUnsafeBufferPointer { dy in
            output.withUnsafeBufferPointer { y in
                inverseNorms.withUnsafeBufferPointer { inv in
                    clamped.withUnsafeBufferPointer { cl in
                        inputGradient.withUnsafeMutableBufferPointer { dx in
                            for r in 0..<rows {
                                let g = dy.baseAddress! + r * d, yr = y.baseAddress! + r * d
                                let out = dx.baseAddress! + r * d
                                let scale = inv[r]
                                var dot: Float = 0
                                if !cl[r] { for j in 0..<d { dot += yr[j] * g[j] } }
                                for j in 0..<d { out[j] = (g[j] - yr[j] * dot) * scale }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}
