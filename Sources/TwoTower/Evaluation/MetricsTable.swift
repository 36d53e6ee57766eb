import Foundation

/// Text tables of evaluation results, side by side.
public enum MetricsTable {
    /// A fixed-width table: one row per metric and k (`recall@20`, ...), one column per named
    /// result (e.g. the model, then `popularity`, `random`, `oracle`). Rates print with 4
    /// decimals, popularity percentiles with 1; a metric a column lacks prints as `-`.
    /// Row order: k ascending, then recall, ndcg, precision, map, mrr, hitrate, coverage,
    /// popularity_percentile; only metrics present in some column appear.
    public static func render(_ columns: [(name: String, result: EvaluationResult)]) -> String {
        guard !columns.isEmpty else { return "" }
        let ks = Array(Set(columns.flatMap { $0.result.ks })).sorted()
        var lines: [[String]] = [["metric"] + columns.map { $0.name }]
        for k in ks {
            for metric in RankingMetric.allCases {
                let cells = columns.map { col -> String in
                    guard let v = col.result.value(metric, k: k) else { return "-" }
                    return String(format: metric == .popularityPercentile ? "%.1f" : "%.4f", v)
                }
                if cells.allSatisfy({ $0 == "-" }) { continue }
                lines.append(["\(metric.rawValue)@\(k)"] + cells)
            }
        }
        let widths = (0..<lines[0].count).map { c in lines.map { $0[c].count }.max()! }
        return lines.enumerated().map { (i, row) -> String in
            let text = row.enumerated().map { (c, cell) in
                c == 0 ? cell.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                       : String(repeating: " ", count: widths[c] - cell.count) + cell
            }.joined(separator: "  ")
            return i == 0 ? text + "\n" + String(repeating: "-", count: text.count) : text
        }.joined(separator: "\n") + "\n"
    }
}
