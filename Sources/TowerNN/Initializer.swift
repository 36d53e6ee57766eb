import TowerCore

/// How a weight matrix is filled at creation.
///
/// `fanIn`/`fanOut` are the input and output widths of the layer (for `Dense`, the weights'
/// rows and columns).
public enum Initializer: Sendable, Equatable {
    /// All zeros (biases).
    case zeros
    /// Uniform in `[-limit, limit)`, `limit = √(6 / (fanIn + fanOut))` (Glorot & Bengio 2010).
    case glorotUniform
    /// Normal with mean 0 and standard deviation `√(2 / fanIn)` (He et al. 2015), for ReLU.
    case heNormal
    /// Normal with mean 0 and the given standard deviation, redrawn outside ±2σ (as
    /// TensorFlow's `truncated_normal`).
    case truncatedNormal(standardDeviation: Float)
    /// Uniform in `[-limit, limit)` (Keras' default embedding initialiser uses 0.05).
    case uniform(limit: Float)

    /// A `[rows, columns]` matrix filled by this initialiser with `fanIn = rows`,
    /// `fanOut = columns`.
    public func matrix(rows: Int, columns: Int, using rng: inout some RandomNumberGenerator) -> Matrix {
        var m = Matrix(rows: rows, columns: columns)
        if self != .zeros { fill(&m, fanIn: rows, fanOut: columns, using: &rng) }  // a new matrix is already zero
        return m
    }

    /// Overwrites `matrix` with draws from this initialiser.
    public func fill(_ matrix: inout Matrix, fanIn: Int, fanOut: Int,
                     using rng: inout some RandomNumberGenerator) {
        let n = matrix.count
        switch self {
        case .zeros:
            for i in 0..<n { matrix.storage[i] = 0 }
        case .glorotUniform:
            let limit = (6 / Float(Swift.max(1, fanIn + fanOut))).squareRoot()
            for i in 0..<n { matrix.storage[i] = Float.random(in: -limit..<limit, using: &rng) }
        case .uniform(let limit):
            precondition(limit > 0, "Initializer.uniform: limit must be positive, found \(limit)")
            for i in 0..<n { matrix.storage[i] = Float.random(in: -limit..<limit, using: &rng) }
        case .heNormal:
            let sigma = (2 / Double(Swift.max(1, fanIn))).squareRoot()
            for i in 0..<n { matrix.storage[i] = Float(sigma * standardNormal(using: &rng)) }
        case .truncatedNormal(let standardDeviation):
            precondition(standardDeviation > 0,
                         "Initializer.truncatedNormal: standard deviation must be positive, found \(standardDeviation)")
            for i in 0..<n {
                var z = standardNormal(using: &rng)
                while abs(z) > 2 { z = standardNormal(using: &rng) }
                matrix.storage[i] = Float(Double(standardDeviation) * z)
            }
        }
    }
}

/// One standard normal draw (Box–Muller, one of the pair).
func standardNormal(using rng: inout some RandomNumberGenerator) -> Double {
    // u1 in (0, 1] so the log is finite.
    let u1 = 1 - Double.random(in: 0..<1, using: &rng)
    let u2 = Double.random(in: 0..<1, using: &rng)
    return (-2 * libmLog(u1)).squareRoot() * libmCos(2 * Double.pi * u2)
}
