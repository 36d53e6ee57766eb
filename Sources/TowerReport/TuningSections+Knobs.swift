import Foundation
import TowerWorkflows

extension TuningSections {
    /// Which knob mattered: one table per knob that varied, ranked by the spread of its per-value
    /// mean rung-0 score (``KnobEffects``), with bars on one shared scale.
    func knobSection() -> String {
        let e = HTMLText.escape
        let effects = KnobEffects(record)
        var out = "<section id=\"knobs\"><h2>Which knob mattered</h2>"
        let epochs = effects.rungZeroEpochs.map { "\($0) epoch\($0 == 1 ? "" : "s")" } ?? "the first rung's epochs"
        out += "<p class=\"note\">For each knob, the configurations that took each value, scored by their rung-0 trial (every configuration has exactly one, with the same budget of \(epochs), so promoted configurations do not count twice): the mean and best validation \(metric), and the best at any rung. Knobs are ranked by the spread of the means (largest minus smallest). A value backed by one or two configurations is weak evidence, and knobs drawn together are confounded: read the spreads as hints, not effects.</p>"
        guard !effects.varied.isEmpty else {
            out += ReportSections.empty(record.configurations.count <= 1
                ? "Only one configuration ran: no knob varied, so there is nothing to compare."
                : "No knob took more than one value over the configurations that ran.")
            return out + fixedList(effects) + "</section>"
        }
        let scale = effects.varied.flatMap { $0.values.compactMap(\.best) }.max() ?? 0
        out += "<div class=\"grid\">"
        for (rank, effect) in effects.varied.enumerated() {
            out += "<div><h3>\(rank + 1). \(e(effect.knob.name)) <span class=\"note\">spread \(HTMLText.metric(effect.spread))</span></h3>"
            let rows = effect.values.map { v -> [String] in
                let width = scale > 0 ? max(0, min(80, 80 * (v.mean ?? 0) / scale)) : 0  // px, one scale for every knob
                let bar = v.mean == nil ? "" : "<span class=\"bar\" style=\"width:\(String(format: "%.1f", width))px\"></span>"
                return ["<code>\(e(v.value))</code>", "\(v.configurations)", v.failed > 0 ? "\(v.failed)" : "0",
                        "<span class=\"barcell\">\(bar)<span>\(HTMLText.metric(v.mean))</span></span>",
                        HTMLText.metric(v.best), HTMLText.metric(v.bestAnyRung)]
            }
            out += ReportSections.table(["value", "configs", "failed", "mean (rung 0)", "best (rung 0)", "best (any rung)"],
                                        rows, numeric: [1, 2, 4, 5])
            if effect.notApplicable > 0 {
                out += "<p class=\"note\">Does not apply to \(effect.notApplicable) configuration\(effect.notApplicable == 1 ? "" : "s") (\(Self.applicability(effect.knob.key))).</p>"
            }
            out += "</div>"
        }
        out += "</div>"
        return out + fixedList(effects) + "</section>"
    }

    /// The knobs with one value throughout.
    private func fixedList(_ effects: KnobEffects) -> String {
        let e = HTMLText.escape
        guard !effects.fixed.isEmpty else { return "" }
        let items = effects.fixed.map { f in
            "\(e(f.knob.name)) " + (f.value.map { "<code>\(e($0))</code>" } ?? "<span class=\"default\">(applied to none)</span>")
        }
        return "<p class=\"note\">Not varied over the configurations that ran: \(items.joined(separator: " · ")).</p>"
    }

    /// Where a knob acts, for the note under its table.
    static func applicability(_ key: String) -> String {
        switch key {
        case "temperatures": "the temperature applies to cosine scores, not to ccl"
        case "logq": "logQ is off with ccl"
        case "ccl-margins", "ccl-negative-weights": "ccl only"
        default: "not drawn for them"
        }
    }
}
