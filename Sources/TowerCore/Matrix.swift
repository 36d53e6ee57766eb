/// A dense, row-major matrix of `Float`.
///
/// Element `(r, c)` is stored at `storage[r * columns + c]`. `Matrix` is a value type with
/// copy-on-write storage; hot loops reach the storage through
/// ``withUnsafeBufferPointer(_:)`` / ``withUnsafeMutableBufferPointer(_:)`` once per call.
public struct Matrix: Sendable, Equatable {
    /// Number of rows.
    public private(set) var rows: Int
    /// Number of columns (the row stride).
    public private(set) var columns: Int
    /// Row-major values, `rows * columns` of them.
    public var storage: [Float]

    /// A `rows × columns` matrix of zeros.
    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = [Float](repeating: 0, count: rows * columns)
    }

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Float) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = [Float](repeating: value, count: rows * columns)
    }

    /// A `rows × columns` matrix from row-major `values`.
    /// - Precondition: `values.count == rows * columns`.
    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
        precondition(values.count == rows * columns,
                     "Matrix: \(values.count) values for a \(rows)×\(columns) matrix (expected \(rows * columns))")
        self.rows = rows
        self.columns = columns
        self.storage = values
    }

    /// Number of elements, `rows * columns`.
    @inlinable public var count: Int { storage.count }

    /// Element at `(row, column)`.
    @inlinable
    public subscript(row: Int, column: Int) -> Float {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                         "Matrix: index (\(row), \(column)) out of bounds for \(rows)×\(columns)")
            return storage[row * columns + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                         "Matrix: index (\(row), \(column)) out of bounds for \(rows)×\(columns)")
            storage[row * columns + column] = newValue
        }
    }

    /// The values of one row, copied.
    public func row(_ index: Int) -> [Float] {
        precondition(index >= 0 && index < rows, "Matrix: row \(index) out of bounds for \(rows) rows")
        return Array(storage[index * columns ..< (index + 1) * columns])
    }

    /// A cheap view of the rows in `range` (shares storage until written).
    public func rows(_ range: Range<Int>) -> MatrixRows {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows,
                     "Matrix: rows \(range) out of bounds for \(rows) rows")
        return MatrixRows(base: self, range: range)
    }

    /// Changes the shape in place, reusing the storage's capacity; contents become unspecified
    /// (zeros for newly grown space). Used by preallocated workspaces: no allocation once the
    /// capacity has been reached.
    public mutating func reshape(rows newRows: Int, columns newColumns: Int) {
        precondition(newRows >= 0 && newColumns >= 0, "Matrix: negative shape \(newRows)×\(newColumns)")
        let n = newRows * newColumns
        if n < storage.count {
            storage.removeLast(storage.count - n)
        } else if n > storage.count {
            storage.append(contentsOf: repeatElement(0, count: n - storage.count))
        }
        rows = newRows
        columns = newColumns
    }

    /// Calls `body` with the row-major storage.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the mutable row-major storage.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer { try body($0) }
    }
}

/// A read-only view of a contiguous range of a matrix's rows; it shares the matrix's storage.
public struct MatrixRows: Sendable {
    /// The matrix viewed.
    public let base: Matrix
    /// The rows of `base` in the view.
    public let range: Range<Int>

    /// Number of rows in the view.
    public var rows: Int { range.count }
    /// Number of columns.
    public var columns: Int { base.columns }

    /// Element `(row, column)` of the view.
    public subscript(row: Int, column: Int) -> Float {
        precondition(row >= 0 && row < range.count, "MatrixRows: row \(row) out of bounds for \(range.count) rows")
        return base[range.lowerBound + row, column]
    }

    /// Calls `body` with the view's row-major values.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try base.storage.withUnsafeBufferPointer { all in
            let start = all.baseAddress.map { $0 + range.lowerBound * base.columns }
            return try body(UnsafeBufferPointer(start: start, count: range.count * base.columns))
        }
    }

    /// A copy of the view as a matrix of its own.
    public func copy() -> Matrix {
        Matrix(rows: rows, columns: columns,
               values: Array(base.storage[range.lowerBound * columns ..< range.upperBound * columns]))
    }
}

extension Matrix: CustomStringConvertible {
    public var description: String {
        var text = "Matrix(\(rows)×\(columns))"
        if count <= 64 {
            for r in 0..<rows { text += "\n  " + row(r).map { "\($0)" }.joined(separator: " ") }
        }
        return text
    }
}
