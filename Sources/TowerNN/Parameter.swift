import TowerCore

/// A trainable tensor with its gradient, shared between a layer and an optimizer.
///
/// ```
/// value:          [rows, columns]   row-major
/// gradient:       [rows, columns]   dense parameters (Dense weights and biases)
///                 [0, columns]      sparse parameters (embedding tables): unused
/// sparseGradient: nil               dense parameters
///                 touched rows only sparse parameters, see ``SparseGradient``
/// ```
///
/// Gradient semantics: a layer's `backward` **overwrites** the gradients of the parameters it
/// owns (one forward → backward → optimizer step per batch). An embedding table shared by two
/// layers uses `backward(_:accumulate: true)` on the second one.
public final class Parameter {
    /// Name for diagnostics and checkpoints, e.g. `"dense0.weight"`.
    public let name: String
    /// The values, `[rows, columns]` row-major.
    public var value: Matrix
    /// Dense gradient with the shape of ``value``; `[0, columns]` for a sparse parameter.
    public var gradient: Matrix
    /// Sparse gradient over the touched rows; `nil` for a dense parameter.
    public let sparseGradient: SparseGradient?

    /// A parameter holding `value`.
    /// - Parameter sparse: `true` for embedding tables, whose gradient is kept as touched rows
    ///   only (then ``gradient`` stays empty).
    public init(name: String, value: Matrix, sparse: Bool = false) {
        self.name = name
        self.value = value
        if sparse {
            self.gradient = Matrix(rows: 0, columns: value.columns)
            self.sparseGradient = SparseGradient(vocabularySize: value.rows, dimensions: value.columns)
        } else {
            self.gradient = Matrix(rows: value.rows, columns: value.columns)
            self.sparseGradient = nil
        }
    }

    /// Whether the gradient lives in ``sparseGradient``.
    public var isSparse: Bool { sparseGradient != nil }

    /// Number of rows of ``value``.
    public var rows: Int { value.rows }
    /// Number of columns of ``value``.
    public var columns: Int { value.columns }

    /// Sets the dense gradient to zero, or empties the sparse gradient (O(touched rows)).
    public func zeroGradient() {
        if let sparseGradient {
            sparseGradient.removeAll()
        } else {
            let n = gradient.count
            gradient.withUnsafeMutableBufferPointer { g in
                if n > 0 { g.baseAddress!.update(repeating: 0, count: n) }
            }
        }
    }
}
