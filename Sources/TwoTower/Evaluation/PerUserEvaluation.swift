import TowerCore

/// Full-corpus evaluation, independent of any model: rankings come from dot products of query
/// embeddings `[U, d]` with item embeddings `[I, d]` (a model's towers, popularity as
/// `[1] · [count]`, the generator's oracle `[u/τ, 1] · [v, log pop]`, ...).
public enum Evaluation {
    /// Users ranked per call of the index (bounds the memory of the top-k lists).
    static let userChunk = 4096
    /// Bytes the top-k lists of one call of the index may take: with a large k the chunk shrinks.
    static let topKListBytes = 256 << 20

    /// The **per-user protocol** of the LightGCN/BARS tables: user `u`'s relevant items are
    /// `heldOut[u]` (distinct items counted once), the items in `excluded[u]` (the user's training
    /// items) are removed from the ranking, and every other item is a candidate. Users with no
    /// held-out item are skipped (``EvaluationResult/skipped``). Ranking ties go to the lower
    /// item row (deterministic). A held-out item that is also excluded can never be hit but still
    /// counts in the denominator.
    ///
    /// Metrics at each k (formulas in ``MetricAccumulator``): Recall@k = hits / |held-out|,
    /// Precision@k = hits / k, NDCG@k with binary gains and IDCG over min(|held-out|, k),
    /// MAP@k = Σ hits@i/i over hit positions / min(|held-out|, k), MRR@k, HitRate@k; plus
    /// coverage@k (distinct items in any top-k list / I) and, with `itemCounts`,
    /// ``EvaluationResult/popularityDecileShares`` (see ``PopularityDeciles``) and
    /// popularity_percentile@k (mean over all recommended slots of the item's mid-rank
    /// popularity percentile, 0 = least popular, 100 = most popular; see ``popularityPercentiles(_:)``).
    /// Everything is ranked once to the largest k. A k larger than the candidates of a user
    /// simply yields a shorter list (Precision still divides by k); a k larger than the catalogue
    /// is capped at it (memory and time do not grow with k beyond `I`).
    ///
    /// - Parameters: `queries` `[U, d]`, `items` `[I, d]`, `heldOut` and `excluded` one list per
    ///   user (item rows in `0..<I`), `itemCounts` `[I]` (training counts) or `nil`.
    /// - Throws: ``RetrievalError`` for k < 1, shape/count mismatches and out-of-range items.
    public static func perUser(
        queries: Matrix, items: Matrix, heldOut: IndexLists, excluded: IndexLists? = nil,
        ks: [Int], itemCounts: [Int]? = nil, threads: Int? = nil
    ) throws -> EvaluationResult {
        let index = try BruteForceIndex(items: items)
        guard queries.columns == items.columns else {
            throw RetrievalError.dimensionMismatch(what: "Evaluation.perUser queries", expected: items.columns, found: queries.columns)
        }
        try validateUsers(users: queries.rows, items: items.rows, heldOut: heldOut, excluded: excluded, itemCounts: itemCounts)
        let d = queries.columns
        return try rankAndScore(users: queries.rows, items: items.rows, heldOut: heldOut, ks: ks,
                                itemCounts: itemCounts) { users, maxK in
            // Gather the chunk's query rows and exclusion lists.
            var chunk = Matrix(rows: users.count, columns: d)
            var offsets = [0], values: [Int32] = []
            chunk.withUnsafeMutableBufferPointer { c in
                queries.withUnsafeBufferPointer { q in
                    for (j, u) in users.enumerated() {
                        for t in 0..<d { c[j * d + t] = q[u * d + t] }
                    }
                }
            }
            if let excluded {
                for u in users { values.append(contentsOf: excluded[u]); offsets.append(values.count) }
            }
            let lists = excluded == nil ? nil : IndexLists(offsets: offsets, values: values)
            let result = try index.search(queries: chunk, k: maxK, excluding: lists, threads: threads)
            return (result.rows, result.k, result.counts)
        }
    }

    static func validateUsers(users: Int, items: Int, heldOut: IndexLists, excluded: IndexLists?,
                              itemCounts: [Int]?) throws {
        guard heldOut.count == users else {
            throw RetrievalError.countMismatch(what: "held-out lists", expected: users, found: heldOut.count)
        }
        if let bad = heldOut.firstOutOfRange(limit: items) {
            throw RetrievalError.itemOutOfRange(what: "held-out", list: bad.list, item: bad.value, items: items)
        }
        if let excluded {
            guard excluded.count == users else {
                throw RetrievalError.countMismatch(what: "excluded lists", expected: users, found: excluded.count)
            }
            if let bad = excluded.firstOutOfRange(limit: items) {
                throw RetrievalError.itemOutOfRange(what: "excluded", list: bad.list, item: bad.value, items: items)
            }
        }
        if let itemCounts, itemCounts.count != items {
            throw RetrievalError.countMismatch(what: "item counts", expected: items, found: itemCounts.count)
        }
    }

    /// Shared per-user driver: `rank(users, maxK)` returns the ranked item rows `[users.count, stride]`
    /// and the valid count per user, for the listed users (all with a non-empty held-out list).
    static func rankAndScore(
        users: Int, items: Int, heldOut: IndexLists, ks rawKs: [Int], itemCounts: [Int]?,
        rank: ([Int], Int) throws -> (rows: [Int32], stride: Int, counts: [Int])
    ) throws -> EvaluationResult {
        let ks = try normalisedKs(rawKs)
        let maxK = ks.last!
        // A k beyond the catalogue is capped at it: lists cannot be longer.
        var acc = MetricAccumulator(ks: ks, cappedRecall: false, catalogue: items)
        // Each listed user costs about 16 bytes per ranked slot (row, score, id).
        let chunkUsers = max(1, min(userChunk, topKListBytes / (16 * max(acc.limit, 1))))
        var marker = [Bool](repeating: false, count: items)
        var bestRank = [Int32](repeating: Int32.max, count: items)
        let percentile = itemCounts.map { popularityPercentiles($0) }
        let decile = itemCounts.map { PopularityDeciles.deciles(itemCounts: $0) }
        var decileSlots = [[Int]](repeating: [Int](repeating: 0, count: PopularityDeciles.count), count: ks.count)
        var percentileSums = [Double](repeating: 0, count: ks.count)
        var slots = [Int](repeating: 0, count: ks.count)
        var skipped = 0
        var start = 0
        while start < users {
            var chunk: [Int] = []
            while start < users && chunk.count < chunkUsers {
                if heldOut.count(start) > 0 { chunk.append(start) } else { skipped += 1 }
                start += 1
            }
            if chunk.isEmpty { continue }
            let (rows, stride, counts) = try rank(chunk, min(maxK, max(items, 1)))
            for (j, u) in chunk.enumerated() {
                var relevant = 0
                for v in heldOut[u] where !marker[Int(v)] { marker[Int(v)] = true; relevant += 1 }
                let base = j * stride
                let c = counts[j]
                acc.add(listCount: c, relevant: relevant) { marker[Int(rows[base + $0])] }
                for v in heldOut[u] { marker[Int(v)] = false }
                for i in 0..<c {
                    let item = Int(rows[base + i])
                    if bestRank[item] > Int32(i) { bestRank[item] = Int32(i) }
                    if let percentile {
                        for (ki, k) in ks.enumerated() where i < k { percentileSums[ki] += percentile[item]; slots[ki] += 1 }
                    }
                    if let decile {
                        for (ki, k) in ks.enumerated() where i < k { decileSlots[ki][decile[item]] += 1 }
                    }
                }
            }
        }
        var values = acc.means()
        values[.coverage] = ks.map { k in
            Double(bestRank.reduce(0) { $0 + (Int($1) < k ? 1 : 0) }) / Double(items)
        }
        if percentile != nil {
            values[.popularityPercentile] = (0..<ks.count).map { slots[$0] > 0 ? percentileSums[$0] / Double(slots[$0]) : 0 }
        }
        return EvaluationResult(evaluationProtocol: .perUser, ks: ks, evaluated: acc.queries,
                                skipped: skipped, values: values,
                                popularityDecileShares: decile == nil ? nil : decileSlots.map(PopularityDeciles.normalised))
    }

    /// Mid-rank popularity percentile of each item, in [0, 100]:
    /// `100 · (#items with a smaller count + (#items with the same count − 1) / 2) / (I − 1)`,
    /// so the unique least popular item is 0, the unique most popular 100, and equal counts share
    /// a value (50 when all counts are equal or I = 1).
    public static func popularityPercentiles(_ counts: [Int]) -> [Double] {
        let n = counts.count
        guard n > 1 else { return [Double](repeating: 50, count: n) }
        let sorted = counts.sorted()
        return counts.map { c in
            // less = first position of c, equal = run length.
            var lo = 0, hi = n
            while lo < hi { let m = (lo + hi) / 2; if sorted[m] < c { lo = m + 1 } else { hi = m } }
            let less = lo
            lo = less; hi = n
            while lo < hi { let m = (lo + hi) / 2; if sorted[m] <= c { lo = m + 1 } else { hi = m } }
            let equal = lo - less
            return 100 * (Double(less) + Double(equal - 1) / 2) / Double(n - 1)
        }
    }
}
