import Foundation
import TowerWorkflows

/// The sections of an ``HTMLReport``, each a function returning HTML (every string from a record
/// escaped). Split by topic over the `ReportSections+*.swift` files.
struct ReportSections {
    let runs: [ReportedRun]

    var first: RunRecord { runs[0].record }
    var comparing: Bool { runs.count > 1 }

    func all() -> [String] {
        [dataSection(), configurationSection(), trainingSection(), metricsSection(), popularitySection()]
    }

    /// The cut-offs of a record's metrics, ascending.
    static func ks(_ record: RunRecord) -> [Int] {
        Array(Set(record.metrics.keys.compactMap { key -> Int? in
            let parts = key.split(separator: "@")
            return parts.count == 2 ? Int(parts[1]) : nil
        })).sorted()
    }

    /// The cut-off the page leads with: the validation metric's, else 20, else the largest.
    static func headlineK(_ record: RunRecord) -> Int {
        let ks = ks(record)
        if let metric = record.train.validationMetric, let k = metric.split(separator: "@").last.flatMap({ Int($0) }),
           ks.contains(k) { return k }
        return ks.contains(20) ? 20 : ks.last ?? 20
    }

    /// The baselines of a record in print order: popularity, random, oracle, then any other.
    static func baselineNames(_ record: RunRecord) -> [String] {
        let known = ["popularity", "random", "oracle"]
        return known.filter { record.baselines[$0] != nil }
            + record.baselines.keys.filter { !known.contains($0) }.sorted()
    }

    /// The heading: title, what was run, and the headline figures.
    func heading() -> String {
        let e = HTMLText.escape
        var out = "<header><h1>\(comparing ? "TwoTower: \(runs.count) runs compared" : "TwoTower training report")</h1>"
        let versions = Set(runs.compactMap(\.record.version))
        out += "<p class=\"lead\">"
        out += runs.map { run in
            "\(comparing ? "<b>\(e(run.label))</b>: " : "")data \(e(run.record.data.name)), \(e(run.record.data.evaluationProtocol)) evaluation of \(HTMLText.integer(run.record.data.evaluated)) \(run.record.data.evaluationProtocol == "per-row" ? "rows" : "users")"
        }.joined(separator: "<br>")
        if !versions.isEmpty { out += "<br><span class=\"note\">twotower \(e(versions.sorted().joined(separator: ", ")))</span>" }
        out += "</p>"
        out += "<div class=\"figures\">"
        for run in runs {
            let r = run.record, k = Self.headlineK(r)
            let prefix = comparing ? "\(e(run.label)): " : ""
            out += "<div>\(prefix)recall@\(k)<b>\(HTMLText.metric(r.metrics["recall@\(k)"]))</b></div>"
            if let pop = r.baselines["popularity"]?["recall@\(k)"] {
                out += "<div>\(prefix)popularity recall@\(k)<b>\(HTMLText.metric(pop))</b></div>"
            }
            out += "<div>\(prefix)epochs (kept)<b>\(r.train.epochs) (\(r.train.bestEpoch))</b></div>"
            out += "<div>\(prefix)training time<b>\(HTMLText.number(r.train.seconds, significant: 3)) s</b></div>"
            if let refit = r.train.refit {
                out += "<div>\(prefix)refit (\(refit.epochs) epoch\(refit.epochs == 1 ? "" : "s"))<b>\(HTMLText.number(refit.seconds, significant: 3)) s</b></div>"
            }
        }
        out += "</div></header>"
        return out
    }

    /// A `<figure>` around an SVG, with a caption.
    static func figure(_ svg: String, caption: String? = nil) -> String {
        "<figure>\(svg)\(caption.map { "<figcaption>\($0)</figcaption>" } ?? "")</figure>"
    }

    /// A placeholder where a plot has nothing to draw.
    static func empty(_ text: String) -> String {
        "<p class=\"empty\">\(HTMLText.escape(text))</p>"
    }

    /// A table: header cells and rows of cells (HTML), numeric columns right-aligned.
    static func table(_ header: [String], _ rows: [[String]], numeric: Set<Int> = [], rowClasses: [String?]? = nil) -> String {
        var out = "<div class=\"table-wrap\"><table><thead><tr>"
        for (i, h) in header.enumerated() { out += "<th\(numeric.contains(i) ? " class=\"num\"" : "")>\(h)</th>" }
        out += "</tr></thead><tbody>"
        for (r, row) in rows.enumerated() {
            let cls = rowClasses?[r].map { " class=\"\($0)\"" } ?? ""
            out += "<tr\(cls)>"
            for (i, cell) in row.enumerated() { out += "<td\(numeric.contains(i) ? " class=\"num\"" : "")>\(cell)</td>" }
            out += "</tr>"
        }
        return out + "</tbody></table></div>"
    }
}
