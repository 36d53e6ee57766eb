import Foundation
import TowerWorkflows

extension ReportSections {
    /// Loss per step and per epoch, validation per epoch, examples/s over time.
    func trainingSection() -> String {
        var out = "<section id=\"training\"><h2>Training</h2><div class=\"grid\">"
        out += stepLossFigure()
        out += epochLossFigure()
        out += validationFigure()
        out += speedFigure()
        return out + "</div></section>"
    }

    private func name(_ run: ReportedRun, _ what: String) -> String {
        comparing ? "\(run.label): \(what)" : what
    }

    /// The loss unit: the batch mean per row, or the batch's sum (`--loss-reduction sum`).
    private var lossUnit: String {
        let sum = (first.configuration ?? []).contains { $0.name == "training.lossReduction" && $0.value == "sum" }
        return sum ? "sum over the batch" : "mean per row"
    }

    private func stepLossFigure() -> String {
        var series: [LinePlot.Series] = []
        var notes: [String] = []
        for (i, run) in runs.enumerated() {
            guard let h = run.record.history, !h.steps.isEmpty else { continue }
            let perPoint = h.totalSteps > h.steps.count
            series.append(.init(name: name(run, perPoint ? "loss (mean of \(Int((Double(h.totalSteps) / Double(h.steps.count)).rounded(.up))) steps)" : "loss"),
                                points: zip(h.steps, h.loss).map { (x: Double($0), y: $1) }, style: .line(faint: true), color: i))
            series.append(.init(name: name(run, "smoothed (EMA β=\(h.smoothing))"),
                                points: zip(h.steps, h.smoothed).map { (x: Double($0), y: $1) }, style: .line(faint: false), color: i))
            notes.append("\(comparing ? "\(HTMLText.escape(run.label)): " : "")\(HTMLText.integer(h.totalSteps)) step\(h.totalSteps == 1 ? "" : "s") in \(h.epochEndSteps.count) epoch\(h.epochEndSteps.count == 1 ? "" : "s")")
        }
        let plot = LinePlot(title: "Loss per step", x: PlotAxis(title: "step", unit: nil, integerTicks: true),
                            y: PlotAxis(title: "loss", unit: lossUnit), series: series)
        guard !plot.isEmpty else { return "<div>" + Self.empty("No per-step losses in the run record.") + "</div>" }
        return "<div>" + Self.figure(plot.svg(), caption: notes.joined(separator: "; ") + ".") + "</div>"
    }

    private func epochLossFigure() -> String {
        let series = runs.enumerated().map { (i, run) in
            LinePlot.Series(name: name(run, "epoch loss"),
                            points: run.record.train.epochLosses.enumerated().compactMap { (e, loss) in loss.map { (x: Double(e + 1), y: $0) } },
                            style: .lineWithDots, color: i)
        }
        let plot = LinePlot(title: "Loss per epoch", x: PlotAxis(title: "epoch", unit: nil, integerTicks: true),
                            y: PlotAxis(title: "mean loss", unit: lossUnit), series: series)
        guard !plot.isEmpty else { return "<div>" + Self.empty("No epoch losses in the run record.") + "</div>" }
        return "<div>" + Self.figure(plot.svg()) + "</div>"
    }

    private func validationFigure() -> String {
        let withValidation = runs.enumerated().filter { !$0.element.record.train.validation.isEmpty }
        guard !withValidation.isEmpty else {
            return "<div>" + Self.empty("No validation set: the validation metric per epoch is drawn for runs with --validate or --patience (early stopping).") + "</div>"
        }
        let metric = withValidation[0].element.record.train.validationMetric ?? "validation metric"
        let series = withValidation.map { (i, run) in
            LinePlot.Series(name: name(run, run.record.train.validationMetric ?? "validation"),
                            points: run.record.train.validation.enumerated().map { (x: Double($0.offset + 1), y: $0.element) },
                            style: .lineWithDots, color: i)
        }
        let markers = withValidation.map { (_, run) in
            LinePlot.Marker(x: Double(run.record.train.bestEpoch),
                            label: comparing ? "\(run.label): best \(run.record.train.bestEpoch)" : "best epoch \(run.record.train.bestEpoch)")
        }
        let plot = LinePlot(title: "Validation \(metric) per epoch", x: PlotAxis(title: "epoch", unit: nil, integerTicks: true),
                            y: PlotAxis(title: metric, unit: nil), series: series, markers: markers)
        let caption = withValidation.map { (_, run) in
            let t = run.record.train
            let best = t.bestEpoch >= 1 && t.bestEpoch <= t.validation.count ? HTMLText.metric(t.validation[t.bestEpoch - 1]) : "–"
            let head = "\(comparing ? "\(HTMLText.escape(run.label)): " : "")best epoch \(t.bestEpoch) of \(t.epochs) (\(HTMLText.escape(t.validationMetric ?? "metric")) \(best)); "
            guard let refit = t.refit else { return head + "the test metrics are of that epoch's parameters" }
            return head + "the test metrics are of the refit: a fresh model trained \(refit.epochs) epoch\(refit.epochs == 1 ? "" : "s") on train + validation (\(HTMLText.integer(refit.interactions)) interactions, \(HTMLText.number(refit.seconds, significant: 3)) s)"
        }.joined(separator: "<br>")
        return "<div>" + Self.figure(plot.svg(), caption: caption + ".") + "</div>"
    }

    private func speedFigure() -> String {
        var series: [LinePlot.Series] = []
        for (i, run) in runs.enumerated() {
            guard let h = run.record.history else { continue }
            let points = zip(h.seconds, h.examplesPerSecond).compactMap { (t, rate) in rate.map { (x: t, y: $0) } }
            series.append(.init(name: name(run, "examples/s"), points: points, style: .line(faint: false), color: i))
        }
        let plot = LinePlot(title: "Training speed", x: PlotAxis(title: "training time", unit: "s"),
                            y: PlotAxis(title: "throughput", unit: "examples/s", includesZero: true), series: series)
        guard !plot.isEmpty else { return "<div>" + Self.empty("Too few timed steps to draw the training speed.") + "</div>" }
        let caption = runs.map { run in
            "\(comparing ? "\(HTMLText.escape(run.label)): " : "")\(HTMLText.integer(Int(run.record.train.examplesPerSecond.rounded()))) examples/s over the run (\(HTMLText.number(run.record.train.seconds, significant: 3)) s in training steps; validation not counted)"
        }.joined(separator: "<br>")
        return "<div>" + Self.figure(plot.svg(), caption: caption + ".") + "</div>"
    }
}
