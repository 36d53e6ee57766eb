/// A side feature of users or items, stored CSR: the values of row `r` are
/// `values[offsets[r] ..< offsets[r + 1]]`, ids into the feature's own ``vocabulary``.
///
/// A categorical feature has at most one value per row; a row without a value has an empty list
/// (callers that need exactly one id use ``categoricalIds(missing:)``).
public struct FeatureTable: Sendable, Equatable {
    public var name: String
    public var target: FeatureTarget
    public var kind: FeatureKind
    /// Values: raw value text ↔ dense feature ids, with occurrence counts over rows.
    public var vocabulary: Vocabulary
    /// `[rows + 1]` offsets into ``values``.
    public var offsets: [Int32]
    /// Feature ids, `[offsets.last]`.
    public var values: [Int32]

    public init(name: String, target: FeatureTarget, kind: FeatureKind, vocabulary: Vocabulary,
                offsets: [Int32], values: [Int32]) {
        precondition(!offsets.isEmpty && offsets[0] == 0 && Int(offsets.last!) == values.count,
                     "FeatureTable \(name): offsets end at \(offsets.last ?? -1) for \(values.count) values")
        self.name = name; self.target = target; self.kind = kind; self.vocabulary = vocabulary
        self.offsets = offsets; self.values = values
    }

    /// Number of rows (users or items) described.
    public var rows: Int { offsets.count - 1 }

    /// The feature ids of `row`.
    public func values(of row: Int) -> ArraySlice<Int32> {
        values[Int(offsets[row]) ..< Int(offsets[row + 1])]
    }

    /// One id per row, `[rows]`: the first value, or `missing` for rows without one.
    public func categoricalIds(missing: Int32) -> [Int32] {
        (0..<rows).map { offsets[$0] < offsets[$0 + 1] ? values[Int(offsets[$0])] : missing }
    }

    /// The table for rows `order` (`order[newRow] = oldRow`).
    public func reordered(_ order: [Int32]) -> FeatureTable {
        var newOffsets: [Int32] = [0]
        newOffsets.reserveCapacity(order.count + 1)
        var newValues: [Int32] = []
        newValues.reserveCapacity(values.count)
        for old in order {
            newValues.append(contentsOf: values(of: Int(old)))
            newOffsets.append(Int32(newValues.count))
        }
        return FeatureTable(name: name, target: target, kind: kind, vocabulary: vocabulary,
                            offsets: newOffsets, values: newValues)
    }
}
