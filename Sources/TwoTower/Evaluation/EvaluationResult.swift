/// A ranking metric; dictionary keys are `"<rawValue>@<k>"`, e.g. `"recall@20"`.
public enum RankingMetric: String, CaseIterable, Sendable, Hashable {
    case recall, ndcg, precision, map, mrr, hitrate, coverage
    case popularityPercentile = "popularity_percentile"
}

/// Which evaluation protocol produced a result.
public enum EvaluationProtocol: String, Sendable {
    /// All of a user's held-out items are relevant, training items excluded (LightGCN/BARS).
    case perUser = "per-user"
    /// One target per row, nothing excluded, random tie-breaking (Merlin's `TopKMetric`s).
    case perRow = "per-row"
}

/// Metric values at several cut-offs, averaged over the evaluated users (or rows).
public struct EvaluationResult: Sendable, Equatable {
    /// The protocol used.
    public var evaluationProtocol: EvaluationProtocol
    /// The cut-offs, ascending and unique.
    public var ks: [Int]
    /// Users (per-user) or rows (per-row) that entered the averages.
    public var evaluated: Int
    /// Users skipped because they have no held-out item (per-user; 0 for per-row).
    public var skipped: Int
    /// Values per metric, one per entry of ``ks``. Coverage and popularity percentile are present
    /// only for the per-user protocol (popularity percentile only when item counts were given).
    public var values: [RankingMetric: [Double]]
    /// Per entry of ``ks``, the share of recommended slots in each item-popularity decile `[10]`
    /// (decile 0 = the most popular 10% of items; see ``PopularityDeciles``). Per-user protocol
    /// with item counts only; `nil` otherwise.
    public var popularityDecileShares: [[Double]]? = nil

    /// The value of `metric` at cut-off `k`, if computed.
    public func value(_ metric: RankingMetric, k: Int) -> Double? {
        guard let i = ks.firstIndex(of: k), let v = values[metric] else { return nil }
        return v[i]
    }

    /// All values keyed `"recall@20"`, `"ndcg@20"`, `"precision@20"`, `"map@20"`, `"mrr@20"`,
    /// `"hitrate@20"`, `"coverage@20"`, `"popularity_percentile@20"`.
    public var dictionary: [String: Double] {
        var out: [String: Double] = [:]
        for (metric, perK) in values {
            for (i, k) in ks.enumerated() { out["\(metric.rawValue)@\(k)"] = perK[i] }
        }
        return out
    }
}
