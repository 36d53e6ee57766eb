import TowerCore

/// An embedding table looked up by id: `ids [n] → rows [n, dimensions]`, with a sparse gradient.
///
/// ```
/// table:  [vocabularySize, dimensions]  row-major, a sparse ``Parameter``
/// ids:    [n]                           Int32 in 0..<vocabularySize, repeats allowed
/// output: [n, dimensions]               output[i] = table[ids[i]]
/// ```
///
/// `backward(dy)` sets `table.sparseGradient` to the touched rows, each holding the sum of `dy`
/// over the positions of that id (duplicates accumulated). It overwrites the previous gradient,
/// or adds to it with `accumulate: true` (for a table shared with another layer in the same
/// step). An id outside the table is a precondition failure.
public final class Embedding {
    /// The table `[vocabularySize, dimensions]` (sparse gradient). May be shared with an
    /// ``EmbeddingBag``.
    public let table: Parameter
    private var ids: [Int32] = []
    private var output = Matrix(rows: 0, columns: 0)

    /// A new table of `vocabularySize` rows of width `dimensions`, drawn from `initializer`
    /// with a ``TowerCore/Xoshiro256`` seeded by `seed`.
    public init(vocabularySize: Int, dimensions: Int, initializer: Initializer = .uniform(limit: 0.05),
                seed: UInt64, name: String = "embedding") {
        precondition(vocabularySize > 0 && dimensions > 0,
                     "Embedding: shape must be positive, found \(vocabularySize)×\(dimensions)")
        var rng = Xoshiro256(seed: seed)
        table = Parameter(name: name,
                          value: initializer.matrix(rows: vocabularySize, columns: dimensions, using: &rng),
                          sparse: true)
    }

    /// A lookup into an existing sparse `table`.
    public init(table: Parameter) {
        precondition(table.isSparse, "Embedding: table \"\(table.name)\" must be a sparse parameter")
        self.table = table
    }

    /// Number of rows of the table.
    public var vocabularySize: Int { table.rows }
    /// Width of a row.
    public var dimensions: Int { table.columns }
    /// `[table]`.
    public var parameters: [Parameter] { [table] }
    /// Empties the table's sparse gradient.
    public func zeroGradients() { table.zeroGradient() }

    /// Gathers `table[ids[i]]` into `[ids.count, dimensions]` and remembers `ids` for `backward`.
    public func forward(ids: UnsafeBufferPointer<Int32>) -> Matrix {
        let d = dimensions, vocabulary = vocabularySize, n = ids.count
        copyIDs(ids, into: &self.ids)
        output.reshape(rows: n, columns: d)
        table.value.withUnsafeBufferPointer { t in
            output.withUnsafeMutableBufferPointer { y in
                for i in 0..<n {
                    let r = Int(ids[i])
                    precondition(r >= 0 && r < vocabulary,
                                 "Embedding \"\(table.name)\": id \(r) at position \(i) out of range 0..<\(vocabulary)")
                    (y.baseAddress! + i * d).update(from: t.baseAddress! + r * d, count: d)
                }
            }
        }
        return output
    }

    /// Gathers `table[ids[i]]`; see ``forward(ids:)-(UnsafeBufferPointer<Int32>)``.
    public func forward(ids: [Int32]) -> Matrix {
        ids.withUnsafeBufferPointer { forward(ids: $0) }
    }

    /// Scatters `outputGradient` `[n, dimensions]` into the table's sparse gradient.
    /// - Parameter accumulate: add to the current sparse gradient instead of replacing it.
    public func backward(_ outputGradient: Matrix, accumulate: Bool = false) {
        let d = dimensions, n = ids.count
        precondition(outputGradient.rows == n && outputGradient.columns == d,
                     "Embedding.backward: gradient is \(outputGradient.rows)×\(outputGradient.columns), expected \(n)×\(d)")
        let sparse = table.sparseGradient!
        if !accumulate { sparse.removeAll() }
        ids.withUnsafeBufferPointer { ids in
            outputGradient.withUnsafeBufferPointer { dy in
                sparse.prepareSlots(for: ids) { slots, values in
                    for i in 0..<n {
                        let s = Int(slots[Int(ids[i])])
                        addScaled(d, 1, dy.baseAddress! + i * d, values + s * d)
                    }
                }
            }
        }
    }
}

// MARK: - L2 penalty on the looked-up rows

extension Embedding {
    /// `Σ_{p ∈ positions} ‖table[ids[p]]‖²` over positions of the last ``forward(ids:)-(UnsafeBufferPointer<Int32>)``
    /// (every occurrence counts, as BPR implementations regularise each looked-up row; e.g.
    /// LightGCN's `reg_loss` over the batch's user, positive and negative rows). Accumulated in
    /// `Double`. Read it before the optimizer step changes the table.
    /// - Precondition: `positions` lies within the last forward's ids.
    public func squaredNorms(positions: Range<Int>) -> Double {
        precondition(positions.lowerBound >= 0 && positions.upperBound <= ids.count,
                     "Embedding.squaredNorms: positions \(positions) outside the last lookup of \(ids.count) ids")
        let d = dimensions
        var total = 0.0
        table.value.withUnsafeBufferPointer { t in
            for p in positions {
                let row = t.baseAddress! + Int(ids[p]) * d
                var s: Float = 0
                for j in 0..<d { s += row[j] * row[j] }
                total += Double(s)
            }
        }
        return total
    }

    /// Adds `coefficient · table[ids[p]]` to the sparse gradient of row `ids[p]` for every position
    /// `p` in `positions` of the last lookup: the gradient of `(coefficient/2) · ``squaredNorms(positions:)```.
    /// Call it after ``backward(_:accumulate:)`` (which sets the gradient this adds to).
    /// - Precondition: `positions` lies within the last forward's ids.
    public func addL2Gradient(coefficient: Float, positions: Range<Int>) {
        precondition(positions.lowerBound >= 0 && positions.upperBound <= ids.count,
                     "Embedding.addL2Gradient: positions \(positions) outside the last lookup of \(ids.count) ids")
        guard !positions.isEmpty, coefficient != 0 else { return }
        let d = dimensions
        ids.withUnsafeBufferPointer { all in
            let touched = UnsafeBufferPointer(rebasing: all[positions])
            table.value.withUnsafeBufferPointer { t in
                table.sparseGradient!.prepareSlots(for: touched) { slots, values in
                    for id in touched {
                        let r = Int(id)
                        addScaled(d, coefficient, t.baseAddress! + r * d, values + Int(slots[r]) * d)
                    }
                }
            }
        }
    }
}
