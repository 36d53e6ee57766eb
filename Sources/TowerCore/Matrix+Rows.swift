extension Matrix {
    /// Makes `self` a copy of rows `range` of `source`: `[range.count, source.columns]`, reusing
    /// `self`'s capacity (no allocation once it has held that many values).
    /// - Precondition: `range` lies inside `source`'s rows.
    public mutating func assignRows(_ range: Range<Int>, of source: Matrix) {
        precondition(range.lowerBound >= 0 && range.upperBound <= source.rows,
                     "Matrix.assignRows: rows \(range) of a \(source.rows)×\(source.columns) matrix")
        let d = source.columns
        reshape(rows: range.count, columns: d)
        guard range.count > 0 && d > 0 else { return }
        source.withUnsafeBufferPointer { s in
            withUnsafeMutableBufferPointer { t in
                t.baseAddress!.update(from: s.baseAddress! + range.lowerBound * d, count: range.count * d)
            }
        }
    }

    /// Overwrites rows `row ..< row + source.rows` with `source`.
    /// - Precondition: same number of columns, and the rows fit.
    public mutating func replaceRows(startingAt row: Int, with source: Matrix) {
        precondition(source.columns == columns && row >= 0 && row + source.rows <= rows,
                     "Matrix.replaceRows: \(source.rows)×\(source.columns) does not fit at row \(row) of \(rows)×\(columns)")
        guard source.count > 0 else { return }
        let d = columns
        source.withUnsafeBufferPointer { s in
            withUnsafeMutableBufferPointer { t in
                (t.baseAddress! + row * d).update(from: s.baseAddress!, count: source.count)
            }
        }
    }
}
