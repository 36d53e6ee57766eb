import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import TowerData
import TowerFormats
import TowerTestSupport
@testable import TowerReport
import TowerWorkflows
import TwoTower

/// The HTML report: its SVG is well-formed XML with finite coordinates, its numbers are the run
/// record's, odd runs (no validation, one epoch, flat curves, 3 users) still draw, and a saved run
/// draws the same page again.
@Suite struct HTMLReportTests {
    static func smallRun(epochs: Int = 2, validation: Bool = true) -> TrainingRun {
        var run = TrainingRun()
        run.data.synthetic = SyntheticConfiguration(users: 60, items: 40, interactions: 1_500, factors: 4, seed: 3)
        run.model.dimensions = 8
        run.training.epochs = epochs
        run.training.batchSize = 64
        run.training.patience = validation ? 5 : nil
        run.training.validationMetric = "recall@10"
        run.evaluation.ks = [5, 10, 20]
        return run
    }

    /// A new, existing temporary directory.
    static func directory(_ name: String) -> String {
        let dir = temporaryDirectory(name)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Every `<svg …>…</svg>` of `page`.
    static func svgs(_ page: String) -> [String] {
        var out: [String] = []
        var rest = page[...]
        while let start = rest.range(of: "<svg "), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            out.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return out
    }

    /// Parses `svg` as XML; returns the parser's error, if any, and every numeric attribute.
    static func parse(_ svg: String) -> (error: String?, numbers: [String]) {
        final class Collector: NSObject, XMLParserDelegate {
            var numbers: [String] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                        qualifiedName: String?, attributes: [String: String]) {
                for key in ["x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "width", "height", "points", "viewBox", "transform"] {
                    if let v = attributes[key] { numbers.append(v) }
                }
            }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = Collector()
        parser.delegate = collector
        let ok = parser.parse()
        return (ok ? nil : "\(parser.parserError.map { "\($0)" } ?? "unknown")", collector.numbers)
    }

    /// Checks every SVG of `page`: well-formed, coordinates finite.
    static func checkDrawable(_ page: String, minimumPlots: Int) {
        let svgs = svgs(page)
        #expect(svgs.count >= minimumPlots)
        for svg in svgs {
            let (error, numbers) = parse(svg)
            #expect(error == nil, "SVG does not parse: \(error ?? "") in \(svg.prefix(200))")
            for n in numbers {
                let lower = n.lowercased()
                #expect(!lower.contains("nan") && !lower.contains("inf"), "non-finite coordinate \(n)")
            }
        }
        #expect(!page.contains("<script"))
        #expect(page.hasPrefix("<!DOCTYPE html>"))
    }

    @Test func svgPartsParseAsXMLAndNumbersAreTheRecords() throws {
        let report = try Self.smallRun().run()
        let record = try report.record()
        let page = HTMLReport.render([ReportedRun(label: "model", record: record)])
        // Data, long tail, 4 training plots, 2 curves, popularity bars.
        Self.checkDrawable(page, minimumPlots: 8)
        // The metrics table holds the record's values, as the text table prints them.
        for (key, value) in record.metrics {
            let shown = HTMLText.metric(value, percentile: key.hasPrefix("popularity_percentile"))
            #expect(page.contains("<code>\(key)</code>"), "\(key) missing")
            #expect(page.contains(">\(shown)<"), "\(key) = \(shown) not shown")
        }
        for (name, values) in record.baselines {
            #expect(page.contains(">\(name)<"))
            let recall = try #require(values["recall@10"])
            #expect(page.contains(">\(HTMLText.metric(recall))<"))
        }
        #expect(page.contains(">\(HTMLText.integer(record.data.users))<"))
        #expect(page.contains(">\(HTMLText.integer(record.data.trainInteractions))<"))
        let details = try #require(record.data.details)
        #expect(page.contains(HTMLText.percent(details.topTwentyPercentShare)))
        // The best epoch is marked on the validation plot; the test metrics are the refit's.
        #expect(page.contains("best epoch \(record.train.bestEpoch)"))
        let refit = try #require(record.train.refit)
        #expect(page.contains("the test metrics are of the refit: a fresh model trained \(refit.epochs) epoch"))
        #expect(page.contains("refit (\(refit.epochs) epochs)"))
        // The record is what --metrics-out writes: the JSON decodes to the same record.
        #expect(try RunRecord.decode(report.json(), file: "metrics") == record)
        let popularity = try #require(record.popularity)
        #expect(abs(popularity.testShares.reduce(0, +) - 1) < 1e-9)
    }

    /// On a phone a plot is drawn at least `phonePlotMinimumWidth` px wide: every SVG's smallest
    /// font (its viewBox units scaled to that width) stays ≥ 10 px.
    @Test func phoneLabelsStayReadable() throws {
        let page = HTMLReport.render([ReportedRun(label: "model", record: try Self.smallRun().run().record())])
        #expect(page.contains("figure svg { min-width: \(Int(ReportPage.phonePlotMinimumWidth))px; }"))
        let svgs = Self.svgs(page)
        #expect(!svgs.isEmpty)
        for svg in svgs {
            let box = try #require(svg.firstMatch(of: /viewBox="0 0 ([0-9.]+) [0-9.]+"/))
            let width = try #require(Double(box.1))
            let sizes = svg.matches(of: /font-size="([0-9.]+)"/).compactMap { Double($0.1) }
            let smallest = try #require(sizes.min())
            #expect(smallest * ReportPage.phonePlotMinimumWidth / width >= 10, "\(smallest) units in a \(width)-wide plot")
        }
    }

    @Test func noValidationAndOneEpochStillDraw() throws {
        let record = try Self.smallRun(epochs: 1, validation: false).run().record()
        #expect(record.train.validation.isEmpty)
        #expect(record.train.refit == nil)
        let page = HTMLReport.render([ReportedRun(label: "model", record: record)])
        #expect(!page.contains("of the refit") && !page.contains("refit ("))
        Self.checkDrawable(page, minimumPlots: 7)
        #expect(page.contains("No validation set"))
    }

    @Test func flatCurvesStillDraw() throws {
        var record = try Self.smallRun().run().record()
        var history = try #require(record.history)
        history.loss = history.loss.map { _ in 2.5 }
        history.smoothed = history.smoothed.map { _ in 2.5 }
        history.examplesPerSecond = history.examplesPerSecond.map { _ in 1000 }
        record.history = history
        record.train.epochLosses = record.train.epochLosses.map { _ in 2.5 }
        record.train.validation = record.train.validation.map { _ in 0 }
        record.metrics = record.metrics.mapValues { _ in 0 }
        for key in record.baselines.keys { record.baselines[key] = record.baselines[key]!.mapValues { _ in 0 } }
        record.data.details?.itemPopularity = [[1, 7], [2, 7], [3, 7]]
        Self.checkDrawable(HTMLReport.render([ReportedRun(label: "model", record: record)]), minimumPlots: 8)
    }

    @Test func tinyDataWithThreeUsersStillDraws() throws {
        let dir = Self.directory("report-tiny")
        let csv = dir + "/log.csv"
        try "user_id,item_id\na,x\na,y\na,z\nb,x\nb,y\nb,w\nc,z\nc,x\nc,w\n".write(toFile: csv, atomically: true, encoding: .utf8)
        var run = TrainingRun()
        run.data.path = csv
        run.model.dimensions = 4
        run.training.epochs = 2
        run.training.batchSize = 4
        run.training.patience = nil
        run.evaluation.ks = [1, 2]
        let record = try run.run().record()
        #expect(record.data.users == 3)
        Self.checkDrawable(HTMLReport.render([ReportedRun(label: "model", record: record)]), minimumPlots: 7)
    }

    @Test func reportRunReproducesTheTrainTimeReport() throws {
        let dir = Self.directory("report-saved")
        var run = Self.smallRun()
        run.output = dir + "/model"
        let report = try run.run()
        let trainTime = dir + "/train.html"
        _ = try TrainingReport.write(report, to: trainTime)
        let saved = try ReportedRun.load(modelDirectory: dir + "/model")
        #expect(saved.label == "model")
        #expect(HTMLReport.render([saved]) == (try String(contentsOfFile: trainTime, encoding: .utf8)))
        // Two runs side by side: both labels, highlighted differences, still well-formed.
        var other = saved
        other.label = "second"
        other.record.configuration = other.record.configuration?.map { entry in
            var e = entry
            if e.name == "training.logQ" { e.value = "none"; e.isDefault = false }
            return e
        }
        let compared = HTMLReport.render([saved, other])
        Self.checkDrawable(compared, minimumPlots: 8)
        #expect(compared.contains("class=\"differs\""))
        #expect(compared.contains("second"))
    }

    @Test func aModelWithoutRunRecordGetsAClearMessage() throws {
        let dir = Self.directory("report-old") + "/model"
        struct Config: Codable { var name = "old" }
        try ModelDirectory.write(to: dir, config: Config(), tensors: [:])
        #expect {
            try ReportedRun.load(modelDirectory: dir)
        } throws: { error in
            "\(error)".contains("no run.json run record") && "\(error)".contains(dir)
        }
        #expect {
            try ReportedRun.load(modelDirectory: dir + "/missing")
        } throws: { error in
            "\(error)".contains("not a TwoTower model directory")
        }
    }

    @Test func aDeletedRunRecordIsNamedAsMissing() throws {
        let dir = Self.directory("report-deleted") + "/model"
        struct Config: Codable { var name = "deleted" }
        try ModelDirectory.write(to: dir, config: Config(), tensors: [:], extraFiles: ["run.json": Data("{}".utf8)])
        try FileManager.default.removeItem(atPath: dir + "/run.json")
        #expect {
            try ReportedRun.load(modelDirectory: dir)
        } throws: { error in
            "\(error)".contains("run.json is missing (its config.json lists it") && !"\(error)".contains("before runs were recorded")
        }
    }

    @Test func stringsFromDataAreEscaped() throws {
        var record = try Self.smallRun(epochs: 1, validation: false).run().record()
        record.data.name = "<script>alert('x')</script> & \"quotes\""
        record.configuration?.append(ConfigurationEntry(name: "data.<b>", value: "</td><img src=x>", isDefault: false))
        let page = HTMLReport.render([ReportedRun(label: "<i>", record: record)])
        #expect(!page.contains("<script>"))
        #expect(!page.contains("<img"))
        #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"))
        Self.checkDrawable(page, minimumPlots: 7)
    }

    @Test func logAxisTicksArePowersOfTenAndLinearTicksNice() {
        let log = PlotAxis(title: "count", unit: nil, scale: .log)
        #expect(log.ticks(1...10_000) == [1, 100, 10_000] || log.ticks(1...10_000) == [1, 10, 100, 1000, 10_000])
        #expect(log.tickLabel(10_000, ticks: []) == "10k")
        let linear = PlotAxis(title: "loss", unit: nil)
        #expect(linear.ticks(0...1) == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1].map { $0 } || linear.ticks(0...1).count == 6)
        #expect(linear.tickLabel(0.4, ticks: [0, 0.2, 0.4]) == "0.4")
        // A flat domain is widened, never degenerate.
        let flat = linear.domain([3, 3, 3])
        #expect(flat.upperBound > flat.lowerBound)
        #expect(log.domain([]).lowerBound > 0)
    }
}
