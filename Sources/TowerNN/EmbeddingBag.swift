import TowerCore

/// How an ``EmbeddingBag`` combines the rows of one bag.
public enum EmbeddingCombiner: Sendable, Equatable {
    /// Sum of the rows.
    case sum
    /// Mean of the rows.
    case mean
}

/// Pooled embedding lookups over variable-length id lists (genres, a user's history).
///
/// ```
/// table:   [vocabularySize, dimensions]  row-major, a sparse ``Parameter``
/// offsets: [n + 1]   CSR: bag b holds ids[offsets[b] ..< offsets[b + 1]]; offsets[0] == 0,
///                    non-decreasing, offsets[n] == ids.count
/// ids:     [offsets[n]]  Int32 in 0..<vocabularySize
/// output:  [n, dimensions]  output[b] = Σ or mean of table[id] over bag b
/// ```
///
/// An **empty bag gives the zero vector** and contributes no gradient. `backward(dy)` gives each
/// id of bag `b` the gradient `dy[b]` (sum) or `dy[b] / |bag b|` (mean), summed over repeats, as
/// a sparse gradient on the touched rows; it overwrites the previous gradient unless
/// `accumulate: true`.
public final class EmbeddingBag {
    /// The table `[vocabularySize, dimensions]` (sparse gradient).
    public let table: Parameter
    /// Sum or mean.
    public let combiner: EmbeddingCombiner
    private var offsets: [Int32] = []
    private var ids: [Int32] = []
    private var output = Matrix(rows: 0, columns: 0)

    /// A new table drawn from `initializer` with a ``TowerCore/Xoshiro256`` seeded by `seed`.
    public init(vocabularySize: Int, dimensions: Int, combiner: EmbeddingCombiner,
                initializer: Initializer = .uniform(limit: 0.05), seed: UInt64, name: String = "embeddingBag") {
        precondition(vocabularySize > 0 && dimensions > 0,
                     "EmbeddingBag: shape must be positive, found \(vocabularySize)×\(dimensions)")
        var rng = Xoshiro256(seed: seed)
        table = Parameter(name: name,
                          value: initializer.matrix(rows: vocabularySize, columns: dimensions, using: &rng),
                          sparse: true)
        self.combiner = combiner
    }

    /// Bags over an existing sparse `table` (e.g. shared with an ``Embedding``).
    public init(table: Parameter, combiner: EmbeddingCombiner) {
        precondition(table.isSparse, "EmbeddingBag: table \"\(table.name)\" must be a sparse parameter")
        self.table = table
        self.combiner = combiner
    }

    /// Number of rows of the table.
    public var vocabularySize: Int { table.rows }
    /// Width of a row.
    public var dimensions: Int { table.columns }
    /// `[table]`.
    public var parameters: [Parameter] { [table] }
    /// Empties the table's sparse gradient.
    public func zeroGradients() { table.zeroGradient() }

    /// Pools the bags described by `offsets` (CSR, `n + 1` entries) and `ids` into `[n, dimensions]`.
    public func forward(offsets: UnsafeBufferPointer<Int32>, ids: UnsafeBufferPointer<Int32>) -> Matrix {
        precondition(offsets.count >= 1, "EmbeddingBag.forward: offsets must have n + 1 >= 1 entries, found 0")
        let n = offsets.count - 1, d = dimensions, vocabulary = vocabularySize
        precondition(offsets[0] == 0 && Int(offsets[n]) == ids.count,
                     "EmbeddingBag.forward: offsets must start at 0 and end at ids.count \(ids.count), found \(offsets[0]) … \(offsets[n])")
        copyIDs(offsets, into: &self.offsets)
        copyIDs(ids, into: &self.ids)
        output.reshape(rows: n, columns: d)
        let mean = combiner == .mean
        table.value.withUnsafeBufferPointer { t in
            output.withUnsafeMutableBufferPointer { y in
                for b in 0..<n {
                    let start = Int(offsets[b]), end = Int(offsets[b + 1])
                    precondition(start <= end,
                                 "EmbeddingBag.forward: offsets decrease at bag \(b) (\(start) > \(end))")
                    let out = y.baseAddress! + b * d
                    out.update(repeating: 0, count: d)
                    for p in start..<end {
                        let r = Int(ids[p])
                        precondition(r >= 0 && r < vocabulary,
                                     "EmbeddingBag \"\(table.name)\": id \(r) at position \(p) (bag \(b)) out of range 0..<\(vocabulary)")
                        addScaled(d, 1, t.baseAddress! + r * d, out)
                    }
                    if mean && end > start {
                        let scale = 1 / Float(end - start)
                        for j in 0..<d { out[j] *= scale }
                    }
                }
            }
        }
        return output
    }

    /// Pools the bags given as arrays; see ``forward(offsets:ids:)-(UnsafeBufferPointer<Int32>,_)``.
    public func forward(offsets: [Int32], ids: [Int32]) -> Matrix {
        offsets.withUnsafeBufferPointer { o in ids.withUnsafeBufferPointer { forward(offsets: o, ids: $0) } }
    }

    /// Scatters `outputGradient` `[n, dimensions]` to the ids of each bag as a sparse gradient.
    /// - Parameter accumulate: add to the current sparse gradient instead of replacing it.
    public func backward(_ outputGradient: Matrix, accumulate: Bool = false) {
        let d = dimensions, n = offsets.count - 1
        precondition(n >= 0 && outputGradient.rows == n && outputGradient.columns == d,
                     "EmbeddingBag.backward: gradient is \(outputGradient.rows)×\(outputGradient.columns), expected \(Swift.max(n, 0))×\(d)")
        let sparse = table.sparseGradient!
        if !accumulate { sparse.removeAll() }
        let mean = combiner == .mean
        offsets.withUnsafeBufferPointer { offsets in
            ids.withUnsafeBufferPointer { ids in
                outputGradient.withUnsafeBufferPointer { dy in
                    sparse.prepareSlots(for: ids) { slots, values in
                        for b in 0..<n {
                            let start = Int(offsets[b]), end = Int(offsets[b + 1])
                            guard end > start else { continue }
                            let scale: Float = mean ? 1 / Float(end - start) : 1
                            let g = dy.baseAddress! + b * d
                            for p in start..<end {
                                let s = Int(slots[Int(ids[p])])
                                addScaled(d, scale, g, values + s * d)
                            }
                        }
                    }
                }
            }
        }
    }
}
