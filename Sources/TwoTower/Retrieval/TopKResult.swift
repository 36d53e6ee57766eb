/// The top-k items of a batch of queries, best first.
///
/// Stored row-major `[queries, k]`. Row `q` holds `counts[q]` valid entries; `counts[q] < k`
/// only when the exclusion list of query `q` leaves fewer than `k` items. Unused slots hold id
/// `-1`, row `-1` and score `-infinity` (documented padding, never a real result: read only the
/// first `counts[q]` entries).
public struct TopKResult: Sendable, Equatable {
    /// Number of queries.
    public let queries: Int
    /// Columns per query: `min(requested k, items in the index)`.
    public let k: Int
    /// External item ids, `[queries, k]`.
    public var ids: [Int64]
    /// Item rows (positions in the index, `0..<items`), `[queries, k]`.
    public var rows: [Int32]
    /// Dot-product scores, `[queries, k]`.
    public var scores: [Float]
    /// Valid entries per query.
    public var counts: [Int]

    /// The valid ids of query `q`, best first.
    public func ids(query q: Int) -> ArraySlice<Int64> { ids[q * k ..< q * k + counts[q]] }
    /// The valid item rows of query `q`, best first.
    public func rows(query q: Int) -> ArraySlice<Int32> { rows[q * k ..< q * k + counts[q]] }
    /// The valid scores of query `q`, best first.
    public func scores(query q: Int) -> ArraySlice<Float> { scores[q * k ..< q * k + counts[q]] }
}
