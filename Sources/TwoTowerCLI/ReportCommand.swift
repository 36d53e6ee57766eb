import ArgumentParser
import Foundation
import TowerReport

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Draw the HTML report of saved runs again, or compare several side by side.",
        discussion: """
            Reads the run record (run.json) that `twotower train --output DIR` saves with the model, \
            or the tune record (tune.json) that `twotower tune --output DIR` saves.
            Examples:
              twotower report --run model                          # writes model/report.html
              twotower report --run logq --run no-logq --out compare.html
            """)

    @Option(name: .customLong("run"), help: ArgumentHelp("A model directory written by `twotower train --output` (repeat to compare runs), or a `twotower tune --output` directory.", valueName: "dir"))
    var runs: [String] = []

    @Option(name: .long, help: ArgumentHelp("The HTML file to write (default with one --run: report.html inside it; required with several).", valueName: "file"))
    var out: String?

    func validate() throws {
        if runs.isEmpty { throw ValidationError("--run DIR is required: a model directory written by `twotower train --output`") }
        if runs.count > 1, out == nil {
            throw ValidationError("--out FILE is required with \(runs.count) --run directories (with one, the report goes inside it)")
        }
    }

    func run() throws {
        if let tune = runs.first(where: { TuningReport.isTuneDirectory($0) }) {
            guard runs.count == 1 else {
                throw ValidationError("--run \(tune) is a tune directory: its report is drawn on its own (give it as the only --run)")
            }
            let path = out ?? (tune as NSString).appendingPathComponent("report.html")
            let written = try TuningReport.write(try TuningReport.load(directory: tune), to: path)
            print("wrote \(path) (\(written.bytes) bytes, the tune search)")
            return
        }
        var loaded = try runs.map { try ReportedRun.load(modelDirectory: $0) }
        for (i, label) in HTMLReport.uniqueLabels(loaded.map(\.label)).enumerated() { loaded[i].label = label }
        let path = out ?? (runs[0] as NSString).appendingPathComponent("report.html")
        let bytes = try HTMLReport.write(loaded, to: path)
        print("wrote \(path) (\(bytes) bytes, \(loaded.count) run\(loaded.count == 1 ? "" : "s"))")
    }
}
