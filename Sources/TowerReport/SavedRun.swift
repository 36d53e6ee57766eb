import Foundation
import TowerFormats
import TowerWorkflows

/// A run to draw: its label in the report and its record.
public struct ReportedRun: Sendable {
    /// The name the page gives the run (`model` for a single run, else e.g. the directory name).
    public var label: String
    public var record: RunRecord

    public init(label: String, record: RunRecord) {
        self.label = label
        self.record = record
    }

    /// The run saved in the model directory `path` by `twotower train --output` (its `run.json`,
    /// checked against the manifest's size and CRC-32), labelled with the directory's name.
    /// - Throws: ``ReportError`` naming `path`: not a model directory, a model saved before runs
    ///   were recorded (no `run.json`), or a record that does not decode;
    ///   ``PersistenceError`` for a damaged file.
    public static func load(modelDirectory path: String) throws -> ReportedRun {
        guard ModelDirectory.isModelDirectory(path) else {
            throw ReportError("--run \(path): not a TwoTower model directory (no config.json of format \"\(ModelDirectory.formatName)\"); give a directory written by `twotower train --output`")
        }
        let file = path + "/" + RunRecord.fileName
        guard FileManager.default.fileExists(atPath: file) else {
            if ModelDirectory.manifestLists(RunRecord.fileName, in: path) {
                throw ReportError("--run \(path): \(file) is missing (its \(ModelDirectory.configFileName) lists it: the file was deleted or moved); train again with --output to draw a report, or use `twotower evaluate` for its metrics")
            }
            throw ReportError("--run \(path): the model has no \(RunRecord.fileName) run record (it was saved by a twotower before runs were recorded); train it again with --output to draw a report, or use `twotower evaluate` for its metrics")
        }
        let data = try ModelDirectory.verifiedExtraFile(RunRecord.fileName, in: path)
        do {
            let record = try RunRecord.decode(data, file: file)
            let name = (path as NSString).standardizingPath
            return ReportedRun(label: (name as NSString).lastPathComponent, record: record)
        } catch let error as RunRecordError {
            throw ReportError("--run \(path): \(error.description)")
        }
    }
}
