import TowerCore

/// Scales all gradients so that their global L2 norm is at most `maxNorm`, as
/// `tf.clip_by_global_norm`.
///
/// The global norm is `√(Σ_parameters ‖gradient‖²)`, over dense gradients and the touched-row
/// values of sparse gradients (whose rows are unique, so this equals the norm of the dense
/// equivalent). When it exceeds `maxNorm` every gradient is multiplied by `maxNorm / norm`.
/// - Returns: the global norm before clipping.
@discardableResult
public func clipGradientsByGlobalNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
    precondition(maxNorm > 0, "clipGradientsByGlobalNorm: maxNorm must be positive, found \(maxNorm)")
    var total: Double = 0
    for parameter in parameters {
        if let sparse = parameter.sparseGradient {
            sparse.withUnsafeRows { _, g in if g.count > 0 { total += sumOfSquares(g.count, g.baseAddress!) } }
        } else {
            parameter.gradient.withUnsafeBufferPointer { g in
                if g.count > 0 { total += sumOfSquares(g.count, g.baseAddress!) }
            }
        }
    }
    let norm = total.squareRoot()
    if norm > Double(maxNorm) {
        let scale = Float(Double(maxNorm) / norm)
        for parameter in parameters {
            if let sparse = parameter.sparseGradient {
                sparse.withUnsafeRows { _, g in for i in 0..<g.count { g[i] *= scale } }
            } else {
                parameter.gradient.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] *= scale } }
            }
        }
    }
    return Float(norm)
}
