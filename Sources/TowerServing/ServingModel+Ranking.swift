import TowerCore
import TwoTower

extension ServingModel {
    /// Ranks `queries` against every item as one matrix product (``BruteForceIndex/search``):
    /// `[q, d] × [items, d]ᵀ` with a per-row top-k that skips each row's excluded items, then each
    /// row cut to its own `k`. The result of a query does not depend on the others in the batch.
    /// - Precondition: every embedding has ``dimensions`` floats; excluded rows are in range.
    public func rank(_ queries: [RetrievalQuery], threads: Int = 1) throws -> [RankedItems] {
        guard let kMax = queries.map(\.k).max() else { return [] }
        let d = dimensions
        var values = [Float]()
        values.reserveCapacity(queries.count * d)
        for q in queries { values.append(contentsOf: q.embedding) }
        let exclusions = queries.contains { !$0.excluded.isEmpty } ? IndexLists(queries.map(\.excluded)) : nil
        let result = try index.search(queries: Matrix(rows: queries.count, columns: d, values: values),
                                      k: kMax, excluding: exclusions, threads: threads)
        return queries.indices.map { i in
            RankedItems(rows: Array(result.rows(query: i)), scores: Array(result.scores(query: i))).prefix(queries[i].k)
        }
    }

    /// Ranks `queries` among the item rows `allowed` only (sorted, unique): the allowed rows are
    /// gathered into a small index, searched the same way, and mapped back, so ties still go to
    /// the lower item row.
    public func rank(_ queries: [RetrievalQuery], allowed: [Int32]) throws -> [RankedItems] {
        guard !allowed.isEmpty else { return queries.map { _ in RankedItems(rows: [], scores: []) } }
        let d = dimensions
        var values = [Float]()
        values.reserveCapacity(allowed.count * d)
        index.items.withUnsafeBufferPointer { items in
            for r in allowed { values.append(contentsOf: items[Int(r) * d ..< Int(r) * d + d]) }
        }
        let sub = try BruteForceIndex(items: Matrix(rows: allowed.count, columns: d, values: values))
        var position = [Int32: Int32](minimumCapacity: allowed.count)
        for (i, r) in allowed.enumerated() { position[r] = Int32(i) }
        var embeddings = [Float]()
        embeddings.reserveCapacity(queries.count * d)
        for q in queries { embeddings.append(contentsOf: q.embedding) }
        let exclusions = IndexLists(queries.map { $0.excluded.compactMap { position[$0] } })
        let result = try sub.search(queries: Matrix(rows: queries.count, columns: d, values: embeddings),
                                    k: queries.map(\.k).max()!, excluding: exclusions, threads: 1)
        return queries.indices.map { i in
            RankedItems(rows: result.rows(query: i).map { allowed[Int($0)] },
                        scores: Array(result.scores(query: i))).prefix(queries[i].k)
        }
    }
}
