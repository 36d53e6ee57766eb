import ArgumentParser
import Foundation
import Testing
import TowerReport
import TowerTestSupport
import TowerWorkflows
@testable import TwoTowerCLI

/// `tune --output DIR` saves the tune record and draws report.html from it; `tune --report FILE`
/// writes the page elsewhere; `twotower report --run DIR` draws the same page again.
@Suite struct TuneReportCommandTests {
    @Test func tuneWritesItsRecordAndReport() throws {
        let dir = temporaryDirectory("tune-report-cli")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SynthCommand.parse(["--out", dir, "--users", "80", "--items", "50", "--interactions", "1500",
                                "--factors", "4", "--seed", "3"]).run()
        let out = dir + "/search", elsewhere = dir + "/page.html"
        try TuneCommand.parse(["--data", dir + "/interactions.csv", "--timestamp-column", "timestamp", "--trials", "2",
                               "--max-epochs", "1", "--dims", "8", "--batch-size", "64", "--learning-rates", "0.01,0.05",
                               "--losses", "softmax", "--samplers", "in-batch", "--eval-k", "10", "--metric", "recall@10",
                               "--output", out, "--report", elsewhere, "--quiet"]).run()
        let record = try TuningRecord.decode(Data(contentsOf: URL(fileURLWithPath: out + "/tune.json")), file: "tune.json")
        #expect(record.trials.count == 2 && record.final != nil)
        #expect(FileManager.default.fileExists(atPath: out + "/best.json"))
        // --report FILE takes the place of report.html in --output.
        #expect(!FileManager.default.fileExists(atPath: out + "/report.html"))
        let page = try String(contentsOfFile: elsewhere, encoding: .utf8)
        #expect(page == TuningReport.render(record))
        try ReportCommand.parse(["--run", out]).run()
        #expect(try String(contentsOfFile: out + "/report.html", encoding: .utf8) == page)
        // A tune directory is drawn on its own.
        #expect(throws: (any Error).self) { try ReportCommand.parse(["--run", out, "--run", dir, "--out", dir + "/x.html"]).run() }
    }
}
