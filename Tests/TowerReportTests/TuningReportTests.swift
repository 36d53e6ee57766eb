import Foundation
import Testing
import TowerData
import TowerTestSupport
@testable import TowerReport
@testable import TowerWorkflows
import TwoTower

/// The tune report: its SVG parses, its leaderboard and knob tables show the record's numbers,
/// "which knob mattered" is computed from the rung-0 trials, and one trial, a single-value knob
/// or a search where every trial failed still draw a sensible page; a saved record draws the
/// same page again.
@Suite struct TuningReportTests {
    /// A real, tiny search with its final run.
    static func smallSearch(trials: Int = 4) throws -> (TuningRun, TuningRecord) {
        var run = TuningRun()
        run.data.synthetic = SyntheticConfiguration(users: 80, items: 50, interactions: 1_800, factors: 4, seed: 3)
        run.training.batchSize = 128
        run.trials = trials
        run.minEpochs = 1
        run.maxEpochs = 3
        run.metric = "recall@10"
        run.evaluation.ks = [10]
        run.space.learningRates = [0.01, 0.05]
        run.space.dimensions = [8]
        run.space.samplers = [[.inBatch], [.inBatch, .uniform(count: 16)]]
        run.space.losses = [.softmaxCrossEntropy]
        run.space.weightDecays = [0]
        run.model.dimensions = 8
        let report = try run.run()
        return (run, try report.record(of: run))
    }

    /// The text of every cell of the `<tbody>` rows of the first table after `anchor`, tags removed.
    static func rows(_ page: String, after anchor: String) -> [[String]] {
        guard let start = page.range(of: anchor),
              let body = page.range(of: "<tbody>", range: start.upperBound..<page.endIndex),
              let end = page.range(of: "</tbody>", range: body.upperBound..<page.endIndex) else { return [] }
        let html = String(page[body.upperBound..<end.lowerBound])
        return html.components(separatedBy: "</tr>").filter { $0.contains("<td") }.map { row in
            row.components(separatedBy: "</td>").filter { $0.contains("<td") }.map { cell in
                var text = "", inTag = false
                for c in cell {
                    if c == "<" { inTag = true } else if c == ">" { inTag = false } else if !inTag { text.append(c) }
                }
                return text
            }
        }
    }

    /// A hand-made record: 4 configurations varying the learning rate and the loss, dims fixed at 8.
    static func handRecord() -> TuningRecord {
        func config(_ i: Int, _ lr: String, _ loss: String) -> TuningRecord.Configuration {
            var knobs = ["learning-rates": lr, "losses": loss, "dims": "8"]
            if loss == "ccl" { knobs["ccl-margins"] = "0.9" } else { knobs["logq"] = "none" }
            return TuningRecord.Configuration(index: i, knobs: knobs, description: "lr \(lr) · \(loss) · d 8")
        }
        func trial(_ n: Int, _ c: Int, rung: Int, _ validation: [Double], failure: String? = nil) -> TuningRecord.Trial {
            let best = validation.indices.max { validation[$0] < validation[$1] }
            return TuningRecord.Trial(number: n, configuration: c, rung: rung, epochBudget: rung == 0 ? 1 : 3,
                         score: failure == nil ? validation.max() : nil, bestEpoch: best.map { $0 + 1 } ?? 0,
                         epochsRun: validation.count, validation: validation, seconds: 0.5, failure: failure)
        }
        var space = SearchSpace()
        space.learningRates = [0.01, 0.1]
        space.losses = [.softmaxCrossEntropy, .ccl]
        space.dimensions = [8]
        let data = TuningRecord.DataPart(name: "hand", trainInteractions: 900, validationInteractions: 80)
        let search = TuningRecord.SearchPart(rungEpochs: [1, 3], reductionFactor: 3, stop: "all configurations tried", seconds: 4,
                                             timeBudget: nil, trialsAsked: 4, skipped: 0)
        let configurations: [TuningRecord.Configuration] = [config(0, "0.01", "softmax"), config(1, "0.01", "ccl"),
                                                            config(2, "0.1", "softmax"), config(3, "0.1", "ccl")]
        var trials: [TuningRecord.Trial] = [trial(1, 0, rung: 0, [0.1]), trial(2, 1, rung: 0, [0.3]), trial(3, 2, rung: 0, [0.5])]
        trials.append(trial(4, 3, rung: 0, [], failure: "non-finite loss at epoch 1"))
        trials.append(trial(5, 2, rung: 1, [0.5, 0.6, 0.55]))
        let leaderboard: [TuningRecord.Row] = [
            TuningRecord.Row(configuration: 2, score: 0.6, bestTrial: 5, epochs: 2, rung: 1),
            TuningRecord.Row(configuration: 1, score: 0.3, bestTrial: 2, epochs: 1, rung: 0),
            TuningRecord.Row(configuration: 0, score: 0.1, bestTrial: 1, epochs: 1, rung: 0),
            TuningRecord.Row(configuration: 3, score: nil, bestTrial: 4, epochs: 1, rung: 0),
        ]
        return TuningRecord(metric: "recall@10", data: data, search: search, knobs: space.knobs,
                            configurations: configurations, trials: trials, leaderboard: leaderboard,
                            winner: 2, final: nil, version: "test")
    }

    @Test func aRealSearchDrawsItsRecord() throws {
        let (_, record) = try Self.smallSearch()
        let page = TuningReport.render(record)
        HTMLReportTests.checkDrawable(page, minimumPlots: 4)  // curves, progress, recall@k, ndcg@k, long tail
        let external = page.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
        #expect(!external.contains("http://") && !external.contains("https://"))
        // The leaderboard: one row per record row, in its order, with its score and final epochs.
        let rows = Self.rows(page, after: "<section id=\"leaderboard\">")
        #expect(rows.count == record.leaderboard.count)
        for (row, cells) in zip(record.leaderboard, rows) {
            #expect(cells[1].hasPrefix("#\(row.configuration + 1)"))
            #expect(cells.contains(HTMLText.metric(row.score)))
            #expect(cells.last == "\(row.epochs)")
            // Every trial of the configuration shows its score in its rung's column.
            for t in record.trials where t.configuration == row.configuration {
                let column = cells.count - 3 - record.search.rungEpochs.count + t.rung
                #expect(cells[column].hasPrefix(t.score == nil ? "failed" : HTMLText.metric(t.score)))
            }
        }
        #expect(rows.first?[1].contains("chosen") == true)
        // One line or dot group per trial with a validation curve, in the curves plot.
        let curves = HTMLReportTests.svgs(page).first { $0.contains("every trial") } ?? ""
        let drawn = record.trials.filter { !$0.validation.isEmpty }
        let marks = curves.components(separatedBy: "<polyline").count - 1
        #expect(marks == drawn.filter { $0.validation.count > 1 }.count)
        // The final test metrics are the final run's.
        let final = try #require(record.final)
        #expect(page.contains("test recall@10<b>\(HTMLText.metric(final.metrics["recall@10"]))</b>"))
        let metrics = Self.rows(page, after: "<section id=\"metrics\">")
        let recall = try #require(metrics.first { $0.first == "recall@10" })
        #expect(recall[1] == HTMLText.metric(final.metrics["recall@10"]))
        #expect(recall[2] == HTMLText.metric(final.baselines["popularity"]?["recall@10"]))
    }

    @Test func knobEffectsComeFromTheRungZeroTrials() throws {
        let record = Self.handRecord()
        let effects = KnobEffects(record)
        // Learning rate: 0.01 → configurations 0, 1 (0.1, 0.3): mean 0.2; 0.1 → 2 (0.5) and 3 (failed): mean 0.5.
        // Loss: softmax → 0 and 2 (0.1, 0.5): mean 0.3; ccl → 1 (0.3) and 3 (failed): mean 0.3. Spread 0.
        #expect(effects.varied.map(\.knob.key) == ["learning-rates", "losses"])
        let lr = effects.varied[0]
        #expect(lr.values.map(\.value) == ["0.01", "0.1"])
        #expect(lr.values.map(\.configurations) == [2, 2])
        #expect(lr.values.map(\.failed) == [0, 1])
        #expect(abs(lr.values[0].mean! - 0.2) < 1e-12 && abs(lr.values[1].mean! - 0.5) < 1e-12)
        #expect(lr.values.map(\.best) == [0.3, 0.5])
        #expect(lr.values.map(\.bestAnyRung) == [0.3, 0.6])  // configuration 2 scored 0.6 on rung 1
        #expect(abs(lr.spread! - 0.3) < 1e-12)
        #expect(abs(effects.varied[1].spread!) < 1e-12)
        // logQ applies to the softmax configurations only, both "none": fixed; ccl margin likewise.
        #expect(effects.fixed.contains { $0.knob.key == "dims" && $0.value == "8" })
        #expect(effects.fixed.contains { $0.knob.key == "logq" && $0.value == "none" })
        #expect(effects.fixed.contains { $0.knob.key == "temperatures" && $0.value == nil })
        let page = TuningReport.render(record)
        HTMLReportTests.checkDrawable(page, minimumPlots: 2)
        let knobRows = Self.rows(page, after: "<section id=\"knobs\">")
        #expect(knobRows.first == ["0.01", "2", "0", "0.2000", "0.3000", "0.3000"])
        #expect(knobRows.dropFirst().first == ["0.1", "2", "1", "0.5000", "0.5000", "0.6000"])
        // A single-value knob is not a leaderboard column; it is listed as fixed.
        #expect(page.contains("dimensions <code>8</code>"))
        #expect(!page.contains("<th>dimensions</th>"))
        #expect(page.contains("<th>learning rate</th>"))
        #expect(page.contains("non-finite loss at epoch 1"))
        #expect(page.contains("No final run"))
    }

    @Test func oneTrialDrawsASensiblePage() throws {
        var record = Self.handRecord()
        record.configurations = [record.configurations[0]]
        record.trials = [record.trials[0]]
        record.leaderboard = [TuningRecord.Row(configuration: 0, score: 0.1, bestTrial: 1, epochs: 1, rung: 0)]
        record.winner = 0
        let page = TuningReport.render(record)
        HTMLReportTests.checkDrawable(page, minimumPlots: 2)
        #expect(page.contains("Only one configuration ran"))
        #expect(Self.rows(page, after: "<section id=\"leaderboard\">").count == 1)
        #expect(KnobEffects(record).varied.isEmpty)
    }

    @Test func everyTrialFailedStillDraws() throws {
        var record = Self.handRecord()
        record.trials = record.trials.filter { $0.rung == 0 }.map { t in
            var t = t
            t.score = nil; t.validation = []; t.failure = "non-finite loss"
            return t
        }
        record.leaderboard = record.leaderboard.map { var r = $0; r.score = nil; return r }
        record.winner = nil
        let page = TuningReport.render(record)
        HTMLReportTests.checkDrawable(page, minimumPlots: 0)
        #expect(page.contains("none (every trial failed)"))
        #expect(page.contains("No trial has a validation score to draw."))
    }

    @Test func aSavedRecordDrawsTheSamePage() throws {
        let dir = HTMLReportTests.directory("tune-report-saved")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let record = Self.handRecord()
        try record.json().write(to: URL(fileURLWithPath: dir + "/" + TuningRecord.fileName))
        #expect(TuningReport.isTuneDirectory(dir))
        let loaded = try TuningReport.load(directory: dir)
        #expect(loaded == record)
        #expect(TuningReport.render(loaded) == TuningReport.render(record))
        try Data("{\"metric\": 3}".utf8).write(to: URL(fileURLWithPath: dir + "/" + TuningRecord.fileName))
        #expect(throws: ReportError.self) { try TuningReport.load(directory: dir) }
    }
}
