import Foundation
import TowerWorkflows

/// The report `twotower train --report` writes at the end of a run.
public enum TrainingReport {
    /// Draws `report` — read back from its `--metrics-out` JSON, exactly as `twotower report --run`
    /// reads the saved `run.json`, so both give the same page — and writes it to `path`
    /// atomically.
    /// - Returns: the page's bytes and the seconds spent (encoding, drawing and writing), on a
    ///   monotonic clock.
    /// - Throws: ``RunRecordError`` (cannot happen for a record this build wrote), and the write's
    ///   ``PersistenceError`` naming `path`.
    public static func write(_ report: RunReport, to path: String) throws -> (bytes: Int, seconds: Double) {
        let start = TrainingProgress.monotonicSeconds()
        let run = ReportedRun(label: "model", record: try report.record())
        let bytes = try HTMLReport.write([run], to: path)
        return (bytes, TrainingProgress.monotonicSeconds() - start)
    }
}
