import Foundation
import TowerWorkflows

extension ReportSections {
    /// The metric names of the table, in MetricsTable's row order.
    static let metricOrder = ["recall", "ndcg", "precision", "map", "mrr", "hitrate", "coverage", "popularity_percentile"]

    /// The final metrics against the baselines, and Recall@k / NDCG@k over k.
    func metricsSection() -> String {
        let e = HTMLText.escape
        var out = "<section id=\"metrics\"><h2>Test metrics against the baselines</h2>"
        out += "<div class=\"grid\">"
        for run in runs {
            let r = run.record
            let columns: [(String, [String: Double])] = [(comparing ? run.label : "model", r.metrics)]
                + Self.baselineNames(r).map { ($0, r.baselines[$0]!) }
            var rows: [[String]] = []
            for k in Self.ks(r) {
                for metric in Self.metricOrder {
                    let key = "\(metric)@\(k)"
                    guard columns.contains(where: { $0.1[key] != nil }) else { continue }
                    rows.append(["<code>\(e(key))</code>"] + columns.map { HTMLText.metric($0.1[key], percentile: metric == "popularity_percentile") })
                }
            }
            out += "<div>" + (comparing ? "<h3>\(e(run.label))</h3>" : "")
            out += Self.table(["metric"] + columns.map { e($0.0) }, rows, numeric: Set(1...columns.count)) + "</div>"
        }
        out += "</div><p class=\"note\">\(e(first.data.evaluationProtocol)) protocol; coverage@k: share of the catalogue in any top-k list; popularity_percentile@k: mean popularity percentile of the recommended items (0 = least, 100 = most popular).</p>"
        out += "<div class=\"grid\">"
        for metric in ["recall", "ndcg"] {
            out += "<div>" + curve(metric) + "</div>"
        }
        return out + "</div></section>"
    }

    /// `metric`@k over k for every run's model and the first run's baselines.
    private func curve(_ metric: String) -> String {
        func points(_ values: [String: Double], _ ks: [Int]) -> [(x: Double, y: Double)] {
            ks.compactMap { k in values["\(metric)@\(k)"].map { (x: Double(k), y: $0) } }
        }
        let ks = Self.ks(first)
        var series: [LinePlot.Series] = runs.enumerated().map { (i, run) in
            LinePlot.Series(name: comparing ? run.label : "model", points: points(run.record.metrics, Self.ks(run.record)),
                            style: .lineWithDots, color: i)
        }
        for (j, name) in Self.baselineNames(first).enumerated() {
            series.append(.init(name: comparing ? "\(name) (\(runs[0].label))" : name,
                                points: points(first.baselines[name]!, ks), style: .dashedWithDots, color: runs.count + j))
        }
        let logK = (ks.last ?? 1) >= 4 * (ks.first ?? 1)
        let title = metric == "recall" ? "Recall@k" : "NDCG@k"
        let plot = LinePlot(title: "\(title) over k", x: PlotAxis(title: "k", unit: "list length", scale: logK ? .log : .linear, integerTicks: true),
                            y: PlotAxis(title: title, unit: nil, includesZero: true), series: series)
        guard !plot.isEmpty else { return Self.empty("No \(title) values in the run record.") }
        return Self.figure(plot.svg(), caption: logK ? "k on a logarithmic axis." : nil)
    }

    /// Share of recommended slots per popularity decile beside the test data's, coverage and
    /// mean popularity percentile.
    func popularitySection() -> String {
        let e = HTMLText.escape
        var out = "<section id=\"popularity\"><h2>Popularity bias</h2>"
        let withShares = runs.enumerated().filter { $0.element.record.popularity != nil }
        guard let base = withShares.first?.element.record, let test = base.popularity?.testShares else {
            return out + Self.empty("Not computed: popularity deciles, coverage and popularity percentiles come with the per-user protocol (--protocol per-user).") + "</section>"
        }
        let k = Self.headlineK(base)
        var series: [BarPlot.Series] = [.init(name: "test interactions", values: test.map { 100 * $0 }, color: 6)]
        for (i, run) in withShares {
            if let s = run.record.popularity?.recommendedShares["model"]?[String(k)] {
                series.append(.init(name: comparing ? "\(run.label) top-\(k)" : "model top-\(k)", values: s.map { 100 * $0 }, color: i))
            }
        }
        for (j, name) in ["popularity", "random"].enumerated() {
            if let s = base.popularity?.recommendedShares[name]?[String(k)] {
                series.append(.init(name: "\(name) top-\(k)", values: s.map { 100 * $0 }, color: runs.count + j))
            }
        }
        let plot = BarPlot(title: "Recommended slots by item popularity decile (k = \(k))",
                           categories: (1...10).map(String.init),
                           x: PlotAxis(title: "item popularity decile", unit: "1 = most popular 10% of items"),
                           y: PlotAxis(title: "share", unit: "%"), series: series)
        out += "<div class=\"grid\"><div>" + Self.figure(plot.svg(), caption: "A ranking that follows the test data matches the black bars; a popularity-biased one piles into decile 1.") + "</div><div>"
        var rows: [[String]] = []
        for run in runs {
            let r = run.record
            let names = [("model", r.metrics)] + (run.label == runs[0].label ? Self.baselineNames(r).map { ($0, r.baselines[$0]!) } : [])
            for (name, values) in names {
                let label = comparing && name == "model" ? run.label : name
                let head = r.popularity?.recommendedShares[name]?[String(k)]?.first
                rows.append([e(label), HTMLText.metric(values["coverage@\(k)"]),
                             HTMLText.metric(values["popularity_percentile@\(k)"], percentile: true),
                             head.map(HTMLText.percent) ?? "–"])
            }
        }
        rows.append(["test interactions", "–", "–", HTMLText.percent(test.first ?? 0)])
        out += Self.table(["ranking", "coverage@\(k)", "mean popularity percentile@\(k)", "slots in decile 1"], rows, numeric: [1, 2, 3])
        out += "<p class=\"note\">Deciles by training count; ties to the lower item row. Coverage: share of the catalogue appearing in any user's top-\(k).</p>"
        return out + "</div></div></section>"
    }
}
