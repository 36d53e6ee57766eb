import TowerCore

/// Baselines evaluated on the same split as a model, for the metrics table.
public enum Baselines {
    /// Popularity as a dot product: queries `[users, 1]` of ones and items `[I, 1]` holding the
    /// training count of each item, so score = count (ties to the lower item row).
    public static func popularityEmbeddings(itemCounts: [Int], users: Int) -> (queries: Matrix, items: Matrix) {
        (Matrix(rows: users, columns: 1, repeating: 1),
         Matrix(rows: itemCounts.count, columns: 1, values: itemCounts.map { Float($0) }))
    }

    /// The synthetic generator's oracle as a dot product: query `[u / τ, 1]` · item `[v, log pop]`,
    /// i.e. score = `u·v / τ + log pop(v)`. `userFactors` `[U, f]`, `itemFactors` `[I, f]`,
    /// `itemLogPopularity` `[I]`; returns queries `[U, f + 1]` and items `[I, f + 1]`.
    public static func oracleEmbeddings(userFactors: Matrix, itemFactors: Matrix,
                                        itemLogPopularity: [Float], temperature: Float) -> (queries: Matrix, items: Matrix) {
        precondition(userFactors.columns == itemFactors.columns,
                     "oracleEmbeddings: user factors have \(userFactors.columns) columns, item factors \(itemFactors.columns)")
        precondition(itemLogPopularity.count == itemFactors.rows,
                     "oracleEmbeddings: \(itemLogPopularity.count) log-popularities for \(itemFactors.rows) items")
        let f = userFactors.columns
        var q = Matrix(rows: userFactors.rows, columns: f + 1)
        for u in 0..<userFactors.rows {
            for c in 0..<f { q[u, c] = userFactors[u, c] / temperature }
            q[u, f] = 1
        }
        var it = Matrix(rows: itemFactors.rows, columns: f + 1)
        for i in 0..<itemFactors.rows {
            for c in 0..<f { it[i, c] = itemFactors[i, c] }
            it[i, f] = itemLogPopularity[i]
        }
        return (q, it)
    }

    /// Per-user protocol for the popularity ranking (training counts `[I]`).
    public static func popularity(itemCounts: [Int], heldOut: IndexLists, excluded: IndexLists?,
                                  ks: [Int], threads: Int? = nil) throws -> EvaluationResult {
        let (q, it) = popularityEmbeddings(itemCounts: itemCounts, users: heldOut.count)
        return try Evaluation.perUser(queries: q, items: it, heldOut: heldOut, excluded: excluded,
                                      ks: ks, itemCounts: itemCounts, threads: threads)
    }

    /// Per-user protocol for any dot-product ranking (a model's towers, the oracle, ...): the same
    /// as ``Evaluation/perUser(queries:items:heldOut:excluded:ks:itemCounts:threads:)``.
    public static func embedding(queries: Matrix, items: Matrix, heldOut: IndexLists, excluded: IndexLists?,
                                 ks: [Int], itemCounts: [Int]? = nil, threads: Int? = nil) throws -> EvaluationResult {
        try Evaluation.perUser(queries: queries, items: items, heldOut: heldOut, excluded: excluded,
                               ks: ks, itemCounts: itemCounts, threads: threads)
    }

    /// Per-user protocol for a uniformly random ranking: each user's top-k is a uniform random
    /// ordered sample, without replacement, of the items not in `excluded[u]` (what sorting
    /// i.i.d. random scores gives), drawn from a generator seeded by `seed` and the user row.
    public static func random(items: Int, heldOut: IndexLists, excluded: IndexLists?, ks: [Int],
                              itemCounts: [Int]? = nil, seed: UInt64) throws -> EvaluationResult {
        guard items > 0 else { throw RetrievalError.emptyIndex }
        try Evaluation.validateUsers(users: heldOut.count, items: items, heldOut: heldOut,
                                     excluded: excluded, itemCounts: itemCounts)
        var taken = [Bool](repeating: false, count: items)
        return try Evaluation.rankAndScore(users: heldOut.count, items: items, heldOut: heldOut, ks: ks,
                                           itemCounts: itemCounts) { users, maxK in
            var rows = [Int32](repeating: -1, count: users.count * maxK)
            var counts = [Int](repeating: 0, count: users.count)
            for (j, u) in users.enumerated() {
                var rng = Xoshiro256(seed: seed ^ (UInt64(u) &* 0x9E37_79B9_7F4A_7C15))
                var blocked = 0
                if let excluded { for v in excluded[u] where !taken[Int(v)] { taken[Int(v)] = true; blocked += 1 } }
                let c = min(maxK, items - blocked)
                var pool: [Int32] = []
                if c * 2 > items - blocked {
                    // Dense: shuffle the remaining items (partial Fisher–Yates).
                    pool = (0..<Int32(items)).filter { !taken[Int($0)] }
                    for i in 0..<c { pool.swapAt(i, Int.random(in: i..<pool.count, using: &rng)) }
                    for i in 0..<c { rows[j * maxK + i] = pool[i] }
                } else {
                    // Sparse: rejection sampling.
                    var i = 0
                    while i < c {
                        let v = Int.random(in: 0..<items, using: &rng)
                        if taken[v] { continue }
                        taken[v] = true; pool.append(Int32(v))
                        rows[j * maxK + i] = Int32(v); i += 1
                    }
                    for v in pool { taken[Int(v)] = false }
                }
                if let excluded { for v in excluded[u] { taken[Int(v)] = false } }
                counts[j] = c
            }
            return (rows, maxK, counts)
        }
    }

    /// Per-row protocol for a uniformly random ranking: the target's rank is uniform on 1…I.
    /// - Throws: ``RetrievalError/kExceedsCandidates(k:candidates:)`` when any k > `items`.
    public static func randomPerRow(items: Int, rows: Int, ks rawKs: [Int], seed: UInt64) throws -> EvaluationResult {
        let ks = try normalisedKs(rawKs)
        guard items > 0 else { throw RetrievalError.emptyIndex }
        if ks.last! > items { throw RetrievalError.kExceedsCandidates(k: ks.last!, candidates: items) }
        let ranks = (0..<rows).map { r -> Int in
            var rng = Xoshiro256(seed: seed ^ (UInt64(r) &* 0x9E37_79B9_7F4A_7C15))
            return Int.random(in: 1...items, using: &rng)
        }
        return Evaluation.perRowResult(ranks: ranks, ks: ks)
    }
}
