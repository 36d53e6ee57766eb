import TowerCore

/// A differentiable transformation of a batch `[batch, inputSize] → [batch, outputSize]` with a
/// hand-written backward pass.
///
/// Contract, for one training step: `forward(x, training: true)` → `backward(dL/dy)` →
/// optimizer step. `backward` uses what the last `forward` cached and
///
/// - returns `dL/dx`, `[batch, inputSize]`;
/// - **overwrites** (does not accumulate) the gradients of the layer's parameters with this
///   batch's gradients.
///
/// Buffers: a layer owns preallocated output and gradient matrices sized for the largest batch
/// seen and reuses them every call, so steady-state steps do not allocate. The returned matrices
/// share storage with those buffers (copy-on-write): use them before the layer's next call; a
/// caller that keeps one across calls still gets correct values, but forces a copy (an
/// allocation) in the layer.
public protocol Layer: AnyObject {
    /// Computes the output `[batch, outputSize]` of `input` `[batch, inputSize]`.
    /// - Parameter training: enables dropout and the caching `backward` needs.
    func forward(_ input: Matrix, training: Bool) -> Matrix
    /// Given `dL/dy` `[batch, outputSize]` for the last training `forward`, sets the parameter
    /// gradients and returns `dL/dx` `[batch, inputSize]`.
    func backward(_ outputGradient: Matrix) -> Matrix
    /// The trainable parameters (a new array per call: cache it outside the step loop).
    var parameters: [Parameter] { get }
    /// Sets every parameter gradient to zero.
    func zeroGradients()
}

extension Layer {
    /// Sets every parameter gradient to zero.
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }
}
