import Foundation
import TowerFormats
import TowerWorkflows

/// The self-contained HTML report of a `twotower tune` search (`tune --report FILE`, by default
/// `report.html` in `tune --output DIR`; `twotower report --run DIR` draws it again from the
/// saved `tune.json`): one file with inline SVG and CSS, no scripts, nothing fetched from the
/// network, the train report's phone and print rules.
///
/// Sections: the leaderboard (every configuration's varying knobs, its score on each rung, the
/// epochs and seconds it used, the chosen one marked); every trial's validation curve (the best
/// configurations coloured, the rest grey, the chosen trial thick); which knob mattered
/// (``KnobEffects``: the rung-0 validation metric per value of each knob, ranked by spread, with
/// the configurations behind each value); the chosen configuration's final test metrics beside
/// the baselines and its data, as the train report draws them. Every number comes from the
/// ``TuningRecord``, and the page holds no clock time: drawing a saved record again gives the
/// same bytes.
public enum TuningReport {
    /// The page for `record`.
    public static func render(_ record: TuningRecord) -> String {
        let sections = TuningSections(record: record)
        return ReportPage.document(title: "TwoTower tuning report: \(record.data.name)",
                                   heading: sections.heading(), sections: sections.all())
    }

    /// Draws `record` and writes the page to `path` atomically.
    /// - Returns: the page's bytes and the seconds spent drawing and writing, on a monotonic clock.
    /// - Throws: the write's ``PersistenceError`` naming `path`.
    @discardableResult
    public static func write(_ record: TuningRecord, to path: String) throws -> (bytes: Int, seconds: Double) {
        let start = TrainingProgress.monotonicSeconds()
        let page = Data(render(record).utf8)
        try AtomicFile.write(page, to: path)
        return (page.count, TrainingProgress.monotonicSeconds() - start)
    }

    /// Whether `directory` holds a tune record (`tune --output DIR`).
    public static func isTuneDirectory(_ directory: String) -> Bool {
        FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(TuningRecord.fileName))
    }

    /// The record saved in `directory` by `tune --output`.
    /// - Throws: ``ReportError`` naming the file when it cannot be read or decoded.
    public static func load(directory: String) throws -> TuningRecord {
        let file = (directory as NSString).appendingPathComponent(TuningRecord.fileName)
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw ReportError("--run \(directory): cannot read \(file) (\(error.localizedDescription))")
        }
        do { return try TuningRecord.decode(data, file: file) } catch let error as RunRecordError {
            throw ReportError("--run \(directory): \(error.description)")
        }
    }
}
