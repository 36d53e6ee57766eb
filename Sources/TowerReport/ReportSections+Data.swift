import Foundation
import TowerWorkflows

extension ReportSections {
    /// Sizes, split, density and the long tail of item popularity.
    func dataSection() -> String {
        let e = HTMLText.escape
        var rows: [[String]] = []
        func row(_ name: String, _ value: (RunRecord) -> String) { rows.append([name] + runs.map { value($0.record) }) }
        row("data") { e($0.data.name) }
        row("users (with a training interaction)") { HTMLText.integer($0.data.users) }
        row("items (with a training interaction)") { HTMLText.integer($0.data.items) }
        row("users / items in the vocabularies") { r in r.data.details.map { "\(HTMLText.integer($0.catalogueUsers)) / \(HTMLText.integer($0.catalogueItems))" } ?? "–" }
        row("training interactions") { HTMLText.integer($0.data.trainInteractions) }
        row("validation interactions") { r in r.data.details.map { $0.validationInteractions.map(HTMLText.integer) ?? "none" } ?? "–" }
        row("test interactions") { r in r.data.details.map { HTMLText.integer($0.testInteractions) } ?? "–" }
        row("density (training)") { r in r.data.details.map { HTMLText.number($0.density, significant: 3) } ?? "–" }
        row("split") { r in r.data.details.map { e($0.split) } ?? "–" }
        row("Gini of item popularity") { r in r.data.details.map { String(format: "%.3f", $0.gini) } ?? "–" }
        row("share of the top 1% of items") { r in r.data.details.map { HTMLText.percent($0.topOnePercentShare) } ?? "–" }
        row("share of the top 20% of items") { r in r.data.details.map { HTMLText.percent($0.topTwentyPercentShare) } ?? "–" }
        let header = ["", ] + runs.map { comparing ? e($0.label) : "value" }
        var out = "<section id=\"data\"><h2>Data</h2><div class=\"grid\"><div>"
        out += Self.table(header, rows, numeric: Set(1...runs.count))
        out += "</div><div>"
        let series = runs.enumerated().compactMap { (i, run) -> LinePlot.Series? in
            guard let points = run.record.data.details?.itemPopularity, !points.isEmpty else { return nil }
            return LinePlot.Series(name: comparing ? run.label : "items", points: points.compactMap { p in
                p.count == 2 ? (x: p[0], y: p[1]) : nil
            }, style: .line(faint: false), color: i)
        }
        let plot = LinePlot(title: "Item popularity (long tail)",
                            x: PlotAxis(title: "item rank", unit: "1 = most popular", scale: .log, integerTicks: true),
                            y: PlotAxis(title: "training interactions", unit: "count", scale: .log),
                            series: series)
        if plot.isEmpty {
            out += Self.empty("No item popularity in the run record.")
        } else {
            let caption = runs.compactMap { run -> String? in
                guard let d = run.record.data.details else { return nil }
                return "\(comparing ? "\(e(run.label)): " : "")the most popular 20% of the items hold \(HTMLText.percent(d.topTwentyPercentShare)) of the training interactions (the tail of 80%: \(HTMLText.percent(1 - d.topTwentyPercentShare))); the top 1% hold \(HTMLText.percent(d.topOnePercentShare))."
            }.joined(separator: "<br>")
            out += Self.figure(plot.svg(), caption: caption + "<br>Both axes logarithmic.")
        }
        out += "</div></div></section>"
        return out
    }

    /// Every setting (defaults marked) and the machine.
    func configurationSection() -> String {
        let e = HTMLText.escape
        var out = "<section id=\"configuration\"><h2>Configuration and machine</h2>"
        var names: [String] = []
        var values: [String: [ConfigurationEntry?]] = [:]
        for (i, run) in runs.enumerated() {
            for entry in run.record.configuration ?? [] {
                if values[entry.name] == nil { names.append(entry.name); values[entry.name] = Array(repeating: nil, count: runs.count) }
                values[entry.name]![i] = entry
            }
        }
        if names.isEmpty {
            out += Self.empty("The run record holds no configuration.")
        } else {
            var rows: [[String]] = [], classes: [String?] = []
            for name in names {
                let cells = values[name]!.map { entry -> String in
                    guard let entry else { return "–" }
                    return entry.isDefault ? "<span class=\"default\">\(e(entry.value))</span><span class=\"tag\">default</span>"
                                           : "<b>\(e(entry.value))</b>"
                }
                rows.append(["<code>\(e(name))</code>"] + cells)
                let distinct = Set(values[name]!.map { $0?.value ?? "" })
                classes.append(comparing && distinct.count > 1 ? "differs" : nil)
            }
            out += "<p class=\"note\">Bold: set for this run; grey with <span class=\"tag\">default</span>: the default of <code>twotower train</code>.\(comparing ? " Highlighted rows differ between the runs." : "")</p>"
            out += Self.table(["setting"] + runs.map { comparing ? e($0.label) : "value" }, rows, rowClasses: classes)
        }
        out += "<h3>Machine</h3>"
        var rows: [[String]] = []
        func row(_ name: String, _ value: (MachineRecord) -> String) {
            rows.append([name] + runs.map { $0.record.machine.map(value) ?? "–" })
        }
        row("cores") { "\($0.cores)" }
        row("GEMM kernel (CPU features)") { e($0.kernel) }
        row("threads") { e($0.threads) }
        row("data-parallel ranks") { "\($0.ranks)" }
        row("system") { e($0.system) }
        out += Self.table([""] + runs.map { comparing ? e($0.label) : "value" }, rows)
        return out + "</section>"
    }
}
