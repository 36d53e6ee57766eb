import Foundation
import TowerWorkflows

/// The sections of a ``TuningReport``, each a function returning HTML (every string from the
/// record escaped): heading and leaderboard here, the curves and the knobs in
/// `TuningSections+*.swift`.
struct TuningSections {
    let record: TuningRecord

    /// How many of the best configurations get a colour of their own in the curves.
    static let colouredConfigurations = 6

    func all() -> [String] {
        var out = [leaderboardSection(), curvesSection(), knobSection()]
        if let final = record.final {
            let sections = ReportSections(runs: [ReportedRun(label: "model", record: final)])
            out.append(finalNote(final) + sections.metricsSection())
            out.append(sections.dataSection())
        } else {
            out.append("<section id=\"metrics\"><h2>Test metrics against the baselines</h2>"
                       + ReportSections.empty("No final run: the winner was not retrained and evaluated on the test part (every trial failed, or the evaluation was skipped).") + "</section>")
        }
        return out
    }

    var metric: String { HTMLText.escape(record.metric) }
    /// Trials by number.
    var trialsByNumber: [Int: TuningRecord.Trial] { Dictionary(record.trials.map { ($0.number, $0) }, uniquingKeysWith: { a, _ in a }) }
    /// Configurations by index.
    var configurations: [Int: TuningRecord.Configuration] {
        Dictionary(record.configurations.map { ($0.index, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The heading: what was searched and the headline figures.
    func heading() -> String {
        let e = HTMLText.escape, r = record, s = record.search
        var out = "<header><h1>TwoTower tuning report</h1><p class=\"lead\">"
        out += "data \(e(r.data.name)): trials trained on \(HTMLText.integer(r.data.trainInteractions)) interactions and were scored by validation \(metric) on \(HTMLText.integer(r.data.validationInteractions)) held out from the training part; the test part was used once, for the chosen configuration."
        out += "<br>\(r.trials.count) trial\(r.trials.count == 1 ? "" : "s") of \(r.configurations.count) configuration\(r.configurations.count == 1 ? "" : "s") in \(HTMLText.number(s.seconds, significant: 3)) s (\(e(s.stop))"
        out += s.timeBudget.map { "; time budget \(HTMLText.number($0, significant: 3)) s" } ?? ""
        out += s.trialsAsked.map { "; \($0) configurations asked" } ?? ""
        out += s.skipped > 0 ? "; \(s.skipped) drawn configurations skipped by the memory or parameter limit" : ""
        out += ")."
        if let v = r.version { out += "<br><span class=\"note\">twotower \(e(v))</span>" }
        out += "</p><div class=\"figures\">"
        if let w = r.winner, let row = r.leaderboard.first(where: { $0.configuration == w }) {
            out += "<div>chosen configuration<b>#\(w + 1)</b></div>"
            out += "<div>best validation \(metric)<b>\(HTMLText.metric(row.score))</b></div>"
        } else {
            out += "<div>chosen configuration<b>none (every trial failed)</b></div>"
        }
        if let f = r.final {
            out += "<div>test \(metric)<b>\(HTMLText.metric(f.metrics[r.metric]))</b></div>"
            if let pop = f.baselines["popularity"]?[r.metric] { out += "<div>popularity test \(metric)<b>\(HTMLText.metric(pop))</b></div>" }
            out += "<div>final run (\(f.train.epochs) epochs)<b>\(HTMLText.number(f.train.seconds, significant: 3)) s</b></div>"
        }
        out += "<div>search time<b>\(HTMLText.number(s.seconds, significant: 3)) s</b></div>"
        return out + "</div></header>"
    }

    /// The keys of the knobs that take more than one value over the configurations, in the space's order.
    var variedKnobs: [SearchSpace.Knob] {
        record.knobs.filter { k in Set(record.configurations.compactMap { $0.knobs[k.key] }).count >= 2 }
    }

    /// One row per configuration, best first.
    func leaderboardSection() -> String {
        let e = HTMLText.escape, r = record
        var out = "<section id=\"leaderboard\"><h2>Leaderboard</h2>"
        let rungs = r.search.rungEpochs
        out += "<p class=\"note\">Asynchronous successive halving: every configuration trains for \(rungs.first ?? 1) epoch\(rungs.first == 1 ? "" : "s") (rung 0); the best 1/\(r.search.reductionFactor) of a rung train again from scratch for the next rung's epochs (\(rungs.map(String.init).joined(separator: ", "))). A rung's score is the best validation \(metric) over its epochs (early stopping may end a trial before its budget). Configuration #1 is the base settings (what <code>twotower train</code> runs with the same flags); the others are drawn from the search space.</p>"
        guard !r.leaderboard.isEmpty else { return out + ReportSections.empty("No trial finished.") + "</section>" }
        let varied = variedKnobs
        let fixed = r.knobs.filter { k in !varied.contains(k) }.compactMap { k -> String? in
            guard let v = r.configurations.lazy.compactMap({ $0.knobs[k.key] }).first else { return nil }
            return "\(e(k.name)) <code>\(e(v))</code>"
        }
        if !fixed.isEmpty { out += "<p class=\"note\">The same in every configuration: \(fixed.joined(separator: " · ")).</p>" }
        let trials = r.trials
        let configs = configurations
        var header = ["rank", "configuration"] + varied.map { e($0.name) } + ["best \(metric)"]
        header += rungs.enumerated().map { "rung \($0.offset)<br><span class=\"note\">≤ \($0.element) ep</span>" }
        header += ["epochs trained", "seconds", "final epochs"]
        let numeric = Set([0]).union(2 + varied.count..<header.count)
        var rows: [[String]] = [], classes: [String?] = []
        for (rank, row) in r.leaderboard.enumerated() {
            let mine = trials.filter { $0.configuration == row.configuration }
            let chosen = row.configuration == r.winner
            var cells = ["\(rank + 1)", "#\(row.configuration + 1)" + (chosen ? "<span class=\"tag\">chosen</span>" : "")]
            cells += varied.map { k in configs[row.configuration]?.knobs[k.key].map { "<code>\(e($0))</code>" } ?? "<span class=\"default\">n/a</span>" }
            cells.append("<b>\(HTMLText.metric(row.score))</b>")
            for k in rungs.indices {
                guard let t = mine.first(where: { $0.rung == k }) else { cells.append("<span class=\"default\">·</span>"); continue }
                if let s = t.score {
                    let tip = "trial \(t.number): best at epoch \(t.bestEpoch) of \(t.epochsRun) run (budget \(t.epochBudget))"
                    cells.append("<span title=\"\(e(tip))\">\(HTMLText.metric(s))</span>" + (t.epochsRun < t.epochBudget ? "<br><span class=\"note\">stopped at \(t.epochsRun)</span>" : ""))
                } else {
                    cells.append("<span title=\"\(e(t.failure ?? "failed"))\">failed</span>")
                }
            }
            cells.append(HTMLText.integer(mine.reduce(0) { $0 + $1.epochsRun }))
            cells.append(HTMLText.number(mine.reduce(0) { $0 + $1.seconds }, significant: 3))
            cells.append(row.score == nil ? "–" : "\(row.epochs)")
            rows.append(cells)
            classes.append(chosen ? "chosen" : nil)
        }
        out += ReportSections.table(header, rows, numeric: numeric, rowClasses: classes)
        let usedEpochs = trials.reduce(0) { $0 + $1.epochsRun }, usedSeconds = trials.reduce(0) { $0 + $1.seconds }
        out += "<p class=\"note\">Budget used: \(HTMLText.integer(usedEpochs)) epochs in \(trials.count) trials, \(HTMLText.number(usedSeconds, significant: 3)) s of training and validation. “final epochs”: the best trial's best epoch, what the final run trains for on train + validation.</p>"
        let failures = trials.filter { $0.score == nil }
        if !failures.isEmpty {
            out += "<h3>Failed trials</h3><ul class=\"note\">"
            for t in failures {
                out += "<li>trial \(t.number) (#\(t.configuration + 1), rung \(t.rung)): \(e(t.failure ?? "no score"))</li>"
            }
            out += "</ul>"
        }
        out += "<details><summary class=\"note\">Every configuration in full</summary><ul class=\"note\">"
        for c in r.configurations { out += "<li>#\(c.index + 1): \(e(c.description))</li>" }
        return out + "</ul></details></section>"
    }

    /// What the chosen configuration's test metrics are.
    func finalNote(_ final: RunRecord) -> String {
        guard let w = record.winner else { return "" }
        return "<section id=\"final\"><h2>The chosen configuration</h2><p>#\(w + 1) (\(HTMLText.escape(configurations[w]?.description ?? ""))) retrained for \(final.train.epochs) epoch\(final.train.epochs == 1 ? "" : "s") on the whole training part (train + validation, \(HTMLText.integer(final.data.trainInteractions)) interactions) in \(HTMLText.number(final.train.seconds, significant: 3)) s, then evaluated once on the test part: the metrics below, beside the baselines on the same split.</p></section>"
    }
}
