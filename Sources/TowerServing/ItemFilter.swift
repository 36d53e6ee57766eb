/// The filters of a request resolved to item rows of one model: what is excluded for every
/// query, and the allow-list if any. Per-query exclusions (a user's training items, the query
/// item itself) are added by ``ItemFilter/excluded(adding:)``.
struct ItemFilter: Sendable {
    /// Item rows excluded from every query, sorted, unique.
    var excluded: [Int32]
    /// When set, the only item rows that may be returned, sorted, unique, excluded rows removed.
    var allowed: [Int32]?

    /// Resolves `fields` against `model`. - Throws: 404 for an unknown item id, naming the field
    /// (`exclude_items[2]`).
    init(_ fields: ItemFilterFields, model: ServingModel) throws(ServingError) {
        var excluded: [Int32] = []
        for (i, id) in (fields.excludeItems ?? []).enumerated() {
            excluded.append(try model.itemRow(id, field: "exclude_items[\(i)]"))
        }
        self.excluded = Self.sortedUnique(excluded)
        if let include = fields.includeItems {
            var allowed: [Int32] = []
            for (i, id) in include.enumerated() { allowed.append(try model.itemRow(id, field: "include_items[\(i)]")) }
            self.allowed = Self.subtract(Self.sortedUnique(allowed), self.excluded)
        } else {
            allowed = nil
        }
    }

    /// The rows excluded for one query: ``excluded`` plus `extra` (any order), sorted, unique.
    func excluded(adding extra: some Collection<Int32>) -> [Int32] {
        extra.isEmpty ? excluded : Self.sortedUnique(excluded + extra)
    }

    static func sortedUnique(_ rows: [Int32]) -> [Int32] {
        var out = rows.sorted()
        var w = 0
        for r in 0..<out.count where r == 0 || out[r] != out[r - 1] { out[w] = out[r]; w += 1 }
        out.removeLast(out.count - w)
        return out
    }

    /// `a − b` for sorted unique arrays.
    static func subtract(_ a: [Int32], _ b: [Int32]) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(a.count)
        var j = 0
        for x in a {
            while j < b.count && b[j] < x { j += 1 }
            if j < b.count && b[j] == x { continue }
            out.append(x)
        }
        return out
    }
}
