import TowerCore

/// The gradient of an embedding table restricted to the rows a batch touched.
///
/// ```
/// rows:   [count]              unique row indices, in order of first touch
/// values: [count, dimensions]  row-major; values[s] is the summed gradient of row rows[s]
/// ```
///
/// Duplicated ids in a batch land in the same slot and their gradients are summed. A dense
/// `[vocabularySize]` slot map (Int32, `-1` = untouched) finds the slot of a row in O(1); it is
/// reset in O(count) by ``removeAll()``. Storage grows by doubling and is never released, so once
/// warmed up to the largest batch no call allocates.
public final class SparseGradient {
    /// Number of rows of the table.
    public let vocabularySize: Int
    /// Width of a row.
    public let dimensions: Int
    /// Number of touched rows.
    public private(set) var count: Int = 0

    private var rowStorage: [Int32] = []
    private var valueStorage: [Float] = []
    private var slotOfRow: [Int32]

    /// An empty sparse gradient for a `[vocabularySize, dimensions]` table.
    public init(vocabularySize: Int, dimensions: Int) {
        precondition(vocabularySize >= 0 && dimensions > 0,
                     "SparseGradient: invalid table shape \(vocabularySize)×\(dimensions)")
        self.vocabularySize = vocabularySize
        self.dimensions = dimensions
        self.slotOfRow = [Int32](repeating: -1, count: vocabularySize)
    }

    /// Forgets all touched rows (O(count), no deallocation).
    public func removeAll() {
        let n = count
        rowStorage.withUnsafeBufferPointer { rows in
            slotOfRow.withUnsafeMutableBufferPointer { slots in
                for s in 0..<n { slots[Int(rows[s])] = -1 }
            }
        }
        count = 0
    }

    /// The touched row indices, copied (allocates; for inspection and tests).
    public var rowIndices: [Int32] { Array(rowStorage[0..<count]) }

    /// The gradient values `[count, dimensions]`, copied (allocates; for inspection and tests).
    public var values: Matrix {
        Matrix(rows: count, columns: dimensions, values: Array(valueStorage[0..<(count * dimensions)]))
    }

    /// The gradient as a dense `[vocabularySize, dimensions]` matrix (allocates; for tests).
    public func denseValues() -> Matrix {
        var dense = Matrix(rows: vocabularySize, columns: dimensions)
        for s in 0..<count {
            let r = Int(rowStorage[s])
            for j in 0..<dimensions { dense[r, j] = valueStorage[s * dimensions + j] }
        }
        return dense
    }

    /// Calls `body` with the touched row indices (`count` of them) and their mutable gradient
    /// values (`count × dimensions`, row-major). Used by optimizers and clipping.
    public func withUnsafeRows<R>(
        _ body: (UnsafeBufferPointer<Int32>, UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        let n = count, d = dimensions
        return try rowStorage.withUnsafeBufferPointer { rows in
            try valueStorage.withUnsafeMutableBufferPointer { values in
                try body(UnsafeBufferPointer(rebasing: rows[0..<n]),
                         UnsafeMutableBufferPointer(rebasing: values[0..<(n * d)]))
            }
        }
    }

    /// Adds the `dimensions` values at `gradient` to row `row` (creating its slot if needed).
    /// - Precondition: `0 <= row < vocabularySize`.
    public func add(row: Int, _ gradient: UnsafeBufferPointer<Float>) {
        precondition(gradient.count == dimensions,
                     "SparseGradient.add: \(gradient.count) values for rows of \(dimensions)")
        withUnsafePointer(to: Int32(truncatingIfNeeded: row)) { id in
            prepareSlots(for: UnsafeBufferPointer(start: id, count: 1)) { slots, values in
                let s = Int(slots[row])
                addScaled(dimensions, 1, gradient.baseAddress!, values + s * dimensions)
            }
        }
    }

    /// Adds `values[i·dimensions ..< (i+1)·dimensions]` to row `rows[i]` for every i, in order
    /// (rows may repeat; slots are created on first touch). Used to sum gradients received from
    /// other ranks in rank order.
    /// - Precondition: `values.count == rows.count * dimensions`; every row is in `0..<vocabularySize`.
    public func add(rows: UnsafeBufferPointer<Int32>, values: UnsafeBufferPointer<Float>) {
        let d = dimensions
        precondition(values.count == rows.count * d,
                     "SparseGradient.add: \(values.count) values for \(rows.count) rows of \(d)")
        guard rows.count > 0 else { return }
        prepareSlots(for: rows) { slots, base in
            for (i, row) in rows.enumerated() {
                addScaled(d, 1, values.baseAddress! + i * d, base + Int(slots[Int(row)]) * d)
            }
        }
    }

    /// Gives every id in `ids` a slot (zero-filled when new), then calls `body` with the slot map
    /// (`slots[id]` is the slot of row `id`) and the base of the `[count, dimensions]` values.
    /// - Precondition: every id is in `0..<vocabularySize` (checked by the caller's layer, and
    ///   again here with a message).
    func prepareSlots(
        for ids: UnsafeBufferPointer<Int32>,
        _ body: (UnsafeBufferPointer<Int32>, UnsafeMutablePointer<Float>) -> Void
    ) {
        let d = dimensions, vocabulary = vocabularySize
        let needed = count + ids.count
        if rowStorage.count < needed {
            let capacity = Swift.max(needed, 2 * rowStorage.count, 16)
            rowStorage.append(contentsOf: repeatElement(0, count: capacity - rowStorage.count))
            valueStorage.append(contentsOf: repeatElement(0, count: capacity * d - valueStorage.count))
        }
        var n = count
        rowStorage.withUnsafeMutableBufferPointer { rows in
            valueStorage.withUnsafeMutableBufferPointer { values in
                slotOfRow.withUnsafeMutableBufferPointer { slots in
                    for id in ids {
                        let r = Int(id)
                        precondition(r >= 0 && r < vocabulary,
                                     "SparseGradient: row \(r) out of range 0..<\(vocabulary)")
                        if slots[r] < 0 {
                            slots[r] = Int32(n)
                            rows[n] = id
                            (values.baseAddress! + n * d).update(repeating: 0, count: d)
                            n += 1
                        }
                    }
                    body(UnsafeBufferPointer(slots), values.baseAddress!)
                }
            }
        }
        count = n
    }
}
