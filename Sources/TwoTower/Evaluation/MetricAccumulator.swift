import Foundation

/// Sums per-query ranking metrics at several cut-offs from each query's ranked list.
///
/// For one query with ranked list `y` (`y_i = 1` when the item at 0-based position `i` is
/// relevant), `R` relevant items (distinct), `hits@k = Σ_{i<k} y_i`:
/// - Recall@k    = hits@k / R                      (per-user protocol, LightGCN/BARS)
///               = hits@k / min(R, k)              (Merlin; identical for one target per row)
/// - Precision@k = hits@k / k
/// - AP@k (MAP)  = Σ_{i<k} y_i · (hits@(i+1) / (i+1)) / min(R, k)
/// - NDCG@k      = DCG@k / IDCG@k with DCG@k = Σ_{i<k} y_i / log2(i + 2) (binary gains) and
///                 IDCG@k = Σ_{i<min(R,k)} 1 / log2(i + 2)
/// - MRR@k       = 1 / (p + 1) for the first relevant position p < k, else 0
/// - HitRate@k   = 1 if hits@k > 0 else 0
/// Each is averaged over the queries added. Sums are in Double, in query order (deterministic).
struct MetricAccumulator {
    let ks: [Int]
    let maxK: Int
    /// The longest list and the most relevant items a query can have (`min(maxK, catalogue)`):
    /// tables and loops are this long, so a cut-off far beyond the catalogue costs nothing.
    let limit: Int
    let cappedRecall: Bool
    /// 1 / log2(i + 2) for i < limit.
    let discount: [Double]
    /// idcg[m] = Σ_{i<m} discount[i], m ≤ limit.
    let idcg: [Double]
    var sums: [RankingMetric: [Double]]
    var queries = 0
    // Scratch, per query.
    var cumHits: [Int]
    var firstHit = -1

    /// - Parameter catalogue: the number of items (bounds list lengths and relevant counts);
    ///   `nil` when every list may reach the largest k.
    init(ks: [Int], cappedRecall: Bool, catalogue: Int? = nil) {
        self.ks = ks
        self.maxK = ks.last!
        self.limit = Swift.min(maxK, Swift.max(catalogue ?? maxK, 0))
        self.cappedRecall = cappedRecall
        discount = (0..<limit).map { 1 / log2(Double($0 + 2)) }
        var id = [0.0]
        for d in discount { id.append(id.last! + d) }
        idcg = id
        cumHits = [Int](repeating: 0, count: limit + 1)
        var s: [RankingMetric: [Double]] = [:]
        for m in [RankingMetric.recall, .ndcg, .precision, .map, .mrr, .hitrate] {
            s[m] = [Double](repeating: 0, count: ks.count)
        }
        sums = s
    }

    /// Adds one query: `isRelevant(i)` tells whether position `i` (< `listCount` ≤ maxK) holds a
    /// relevant item; `relevant` is R > 0.
    mutating func add(listCount: Int, relevant: Int, isRelevant: (Int) -> Bool) {
        precondition(relevant > 0 && listCount <= limit && (relevant <= limit || limit == maxK),
                     "MetricAccumulator: relevant \(relevant), list \(listCount), limit \(limit)")
        queries += 1
        var hits = 0
        var firstHit = -1
        // dcg[i+1] and ap numerators accumulate along the list.
        var dcg = 0.0, apSum = 0.0
        var ki = 0
        var recall = sums[.recall]!, ndcg = sums[.ndcg]!, precision = sums[.precision]!
        var map = sums[.map]!, mrr = sums[.mrr]!, hitrate = sums[.hitrate]!
        for i in 0..<limit {
            while ki < ks.count && ks[ki] == i {
                record(ks[ki], ki, hits, dcg, apSum, firstHit, relevant, &recall, &ndcg, &precision, &map, &mrr, &hitrate)
                ki += 1
            }
            if i < listCount && isRelevant(i) {
                hits += 1
                if firstHit < 0 { firstHit = i }
                dcg += discount[i]
                apSum += Double(hits) / Double(i + 1)
            }
        }
        while ki < ks.count {
            record(ks[ki], ki, hits, dcg, apSum, firstHit, relevant, &recall, &ndcg, &precision, &map, &mrr, &hitrate)
            ki += 1
        }
        sums[.recall] = recall; sums[.ndcg] = ndcg; sums[.precision] = precision
        sums[.map] = map; sums[.mrr] = mrr; sums[.hitrate] = hitrate
    }

    @inline(__always)
    private func record(_ k: Int, _ ki: Int, _ hits: Int, _ dcg: Double, _ apSum: Double, _ firstHit: Int,
                        _ relevant: Int, _ recall: inout [Double], _ ndcg: inout [Double],
                        _ precision: inout [Double], _ map: inout [Double], _ mrr: inout [Double],
                        _ hitrate: inout [Double]) {
        let capped = Swift.min(relevant, k)
        recall[ki] += Double(hits) / Double(cappedRecall ? capped : relevant)
        precision[ki] += Double(hits) / Double(k)
        map[ki] += apSum / Double(capped)
        ndcg[ki] += dcg / idcg[Swift.min(capped, limit)]
        if firstHit >= 0 { mrr[ki] += 1 / Double(firstHit + 1); hitrate[ki] += 1 }
    }

    /// Means over the queries added (zeros when none).
    func means() -> [RankingMetric: [Double]] {
        let n = Double(Swift.max(queries, 1))
        return sums.mapValues { $0.map { $0 / n } }
    }
}

/// Validates and normalises cut-offs: ascending, unique, each ≥ 1.
func normalisedKs(_ ks: [Int]) throws -> [Int] {
    guard !ks.isEmpty else { throw RetrievalError.invalidK(0) }
    if let bad = ks.first(where: { $0 < 1 }) { throw RetrievalError.invalidK(bad) }
    return Array(Set(ks)).sorted()
}
