/// Variable-length lists of item rows, one list per query/user, in compressed sparse row (CSR)
/// form: list `r` is `values[offsets[r] ..< offsets[r + 1]]`. Every list is kept sorted
/// ascending (the initialisers sort); duplicates are kept.
///
/// Used for exclusion lists (items a user has seen) and held-out sets.
public struct IndexLists: Sendable, Equatable {
    /// `count + 1` offsets into ``values``, starting at 0, non-decreasing.
    public private(set) var offsets: [Int]
    /// All lists' item rows, concatenated; each list sorted ascending.
    public private(set) var values: [Int32]

    /// Lists from nested arrays (each list is sorted; the input order does not matter).
    public init(_ lists: [[Int32]]) {
        var offsets = [0]
        offsets.reserveCapacity(lists.count + 1)
        var values: [Int32] = []
        values.reserveCapacity(lists.reduce(0) { $0 + $1.count })
        for list in lists {
            values.append(contentsOf: list.sorted())
            offsets.append(values.count)
        }
        self.offsets = offsets
        self.values = values
    }

    /// Lists from CSR arrays; each list's segment is sorted in place.
    /// - Precondition: `offsets` is non-empty, starts at 0, is non-decreasing and ends at
    ///   `values.count`.
    public init(offsets: [Int], values: [Int32]) {
        precondition(!offsets.isEmpty && offsets[0] == 0 && offsets.last! == values.count,
                     "IndexLists: offsets must start at 0 and end at values.count (\(values.count)); got \(offsets.first ?? -1)...\(offsets.last ?? -1)")
        var values = values
        for r in 0..<(offsets.count - 1) {
            precondition(offsets[r] <= offsets[r + 1], "IndexLists: offsets decrease at list \(r): \(offsets[r]) > \(offsets[r + 1])")
            values[offsets[r] ..< offsets[r + 1]].sort()
        }
        self.offsets = offsets
        self.values = values
    }

    /// `count` empty lists.
    public init(emptyLists count: Int) {
        self.offsets = [Int](repeating: 0, count: count + 1)
        self.values = []
    }

    /// Number of lists.
    public var count: Int { offsets.count - 1 }

    /// List `r`, sorted ascending.
    public subscript(r: Int) -> ArraySlice<Int32> { values[offsets[r] ..< offsets[r + 1]] }

    /// Number of entries in list `r`.
    public func count(_ r: Int) -> Int { offsets[r + 1] - offsets[r] }

    /// The first entry outside `0..<limit` and the list holding it, if any (for range checks).
    func firstOutOfRange(limit: Int) -> (list: Int, value: Int32)? {
        for r in 0..<count {
            for v in self[r] where v < 0 || Int(v) >= limit { return (r, v) }
        }
        return nil
    }
}
