import Foundation
import TowerFormats
import TowerWorkflows

/// The self-contained HTML report of one or more training runs (`twotower train --report`,
/// `twotower report --run DIR [--run DIR2 …]`): one file with inline SVG plots and CSS, no
/// scripts, nothing fetched from the network; readable on a phone and when printed.
///
/// Sections: the data (sizes, split, long-tail plot of item popularity on log-log axes with head
/// shares); configuration (every setting, defaults marked, differences between runs highlighted)
/// and machine; training (loss per step raw and smoothed, loss per epoch, the validation metric
/// per epoch with the kept epoch marked, examples/s over time); the final metrics against the
/// baselines and Recall@k / NDCG@k over k; popularity bias (share of recommended slots per
/// item-popularity decile beside the test interactions', coverage@k, mean popularity
/// percentile). Several runs are drawn side by side: their lines share each plot, their values
/// each table. Every number comes from the runs' ``RunRecord``s (the `--metrics-out` JSON), and
/// the page holds no clock time, so drawing a saved run again gives the same bytes.
public enum HTMLReport {
    /// The page for `runs` (at least one).
    public static func render(_ runs: [ReportedRun]) -> String {
        precondition(!runs.isEmpty, "HTMLReport.render: no run")
        let sections = ReportSections(runs: runs)
        let title = runs.count == 1 ? "TwoTower report: \(runs[0].record.data.name)"
                                    : "TwoTower comparison: \(runs.map(\.label).joined(separator: " vs "))"
        return ReportPage.document(title: title, heading: sections.heading(), sections: sections.all())
    }

    /// Renders `runs` and writes the page to `path` atomically.
    /// - Returns: the page's size in bytes.
    /// - Throws: ``PersistenceError`` from the write, naming `path`.
    @discardableResult
    public static func write(_ runs: [ReportedRun], to path: String) throws -> Int {
        let page = Data(render(runs).utf8)
        try AtomicFile.write(page, to: path)
        return page.count
    }

    /// Labels for the runs of `twotower report --run A --run B`: the directories' names, made
    /// unique with `#2`, `#3` when two are the same.
    public static func uniqueLabels(_ labels: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return labels.map { label in
            seen[label, default: 0] += 1
            return seen[label]! == 1 ? label : "\(label) #\(seen[label]!)"
        }
    }
}
