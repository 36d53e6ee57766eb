import Foundation
import TowerWorkflows

extension TuningSections {
    /// Every trial's validation metric per epoch: one line per trial, the best configurations in
    /// colour (their lower-rung trials faint), the rest grey, the chosen trial thick; and the
    /// search's progress (each trial's score in the order run, with the best so far).
    func curvesSection() -> String {
        var out = "<section id=\"curves\"><h2>Validation curves</h2><div class=\"grid\">"
        out += "<div>" + trialCurves() + "</div>"
        out += "<div>" + progress() + "</div>"
        return out + "</div></section>"
    }

    /// The configurations drawn in colour: the best ``colouredConfigurations`` of the
    /// leaderboard, the chosen one first.
    var coloured: [Int] {
        Array(record.leaderboard.filter { $0.score != nil }.prefix(Self.colouredConfigurations).map(\.configuration))
    }

    private func trialCurves() -> String {
        let r = record
        let coloured = coloured
        let chosenTrial = r.winner.flatMap { w in r.leaderboard.first { $0.configuration == w }?.bestTrial }
        let drawn = r.trials.filter { !$0.validation.isEmpty }
        var grey: [LinePlot.Series] = [], colour: [LinePlot.Series] = [], top: [LinePlot.Series] = []
        let greyCount = drawn.filter { !coloured.contains($0.configuration) }.count
        // Legend entries: one per coloured configuration (on its highest-rung trial), one for the grey lines.
        var named: Set<Int> = []
        for t in drawn.sorted(by: { ($0.rung, $0.number) > ($1.rung, $1.number) }) {
            let points = t.validation.enumerated().map { (x: Double($0.offset + 1), y: $0.element) }
            if let slot = coloured.firstIndex(of: t.configuration) {
                let first = named.insert(t.configuration).inserted
                let name = "#\(t.configuration + 1)" + (t.configuration == r.winner ? " (chosen)" : "")
                let style: SeriesStyle = t.number == chosenTrial ? .emphasized : (first ? .lineWithDots : .line(faint: true))
                let s = LinePlot.Series(name: name, points: points, style: style, color: slot, inLegend: first)
                if t.number == chosenTrial { top.append(s) } else { colour.append(s) }
            } else {
                grey.append(.init(name: "other \(greyCount) trial\(greyCount == 1 ? "" : "s")", points: points, style: .line(faint: true),
                                  color: 0, hexColor: PlotPalette.grey, inLegend: grey.isEmpty))
            }
        }
        var markers: [LinePlot.Marker] = []
        if let n = chosenTrial, let t = r.trials.first(where: { $0.number == n }), t.bestEpoch >= 1 {
            markers.append(.init(x: Double(t.bestEpoch), label: "chosen: best epoch \(t.bestEpoch)"))
        }
        let plot = LinePlot(title: "Validation \(r.metric) per epoch, every trial",
                            x: PlotAxis(title: "epoch", unit: nil, integerTicks: true),
                            y: PlotAxis(title: r.metric, unit: "validation"), series: grey + colour.reversed() + top, markers: markers)
        guard !plot.isEmpty else { return ReportSections.empty("No trial has a validation score to draw.") }
        var caption = "One line per trial (a promoted configuration retrains from scratch, so it has one line per rung: the highest rung's with dots, the lower faint). "
        caption += coloured.count < r.configurations.count
            ? "The best \(coloured.count) configurations in colour, the other \(r.configurations.count - coloured.count) in grey; "
            : "Every configuration in colour; "
        caption += "the chosen trial thick, its best epoch marked."
        let failed = r.trials.count - drawn.count
        if failed > 0 { caption += " \(failed) failed trial\(failed == 1 ? "" : "s") not drawn." }
        return ReportSections.figure(plot.svg(), caption: caption)
    }

    /// Each trial's score against its number, per rung, with the best so far.
    private func progress() -> String {
        let r = record
        var series: [LinePlot.Series] = []
        for (k, epochs) in r.search.rungEpochs.enumerated() {
            let points = r.trials.filter { $0.rung == k }.compactMap { t in t.score.map { (x: Double(t.number), y: $0) } }
            guard !points.isEmpty else { continue }
            series.append(.init(name: "rung \(k) (≤ \(epochs) ep)", points: points, style: .dotsOnly, color: k + 1))
        }
        var best = -Double.infinity, line: [(x: Double, y: Double)] = []
        for t in r.trials {
            if let s = t.score { best = max(best, s) }
            if best.isFinite { line.append((x: Double(t.number), y: best)) }
        }
        series.insert(.init(name: "best so far", points: line, style: .line(faint: false), color: 6), at: 0)
        let plot = LinePlot(title: "Search progress", x: PlotAxis(title: "trial", unit: "in the order run", integerTicks: true),
                            y: PlotAxis(title: r.metric, unit: "validation"), series: series)
        guard !plot.isEmpty else { return ReportSections.empty("No trial has a score to draw.") }
        return ReportSections.figure(plot.svg(), caption: "Each trial's score (its best epoch) in the order the trials ran, coloured by rung; the black line is the best score so far.")
    }
}
