import Foundation
import TwoTower

/// A configuration `twotower tune` tried, with its best trial.
public struct LeaderboardEntry: Sendable, Equatable {
    /// The configuration's index (0-based, in the order they were drawn).
    public var configuration: Int
    public var model: ModelConfiguration
    /// The training settings; `epochs` is the best trial's best epoch and early stopping is off,
    /// ready for the final run (what `--best-config` writes).
    public var training: TrainingConfiguration
    /// The configuration's best trial (the highest score; ties: the higher rung).
    public var best: TrialResult
    /// The highest rung the configuration reached.
    public var rung: Int

    /// ``SearchSpace/describe(model:training:)``.
    public var description: String { SearchSpace.describe(model: model, training: training) }
}

extension TuningRun.Search {
    /// The leaderboard as a table, best first: rank, the validation metric, the epochs the final
    /// run trains for (the best trial's best epoch), the highest rung reached, the trial seconds,
    /// and the configuration.
    public func table(metric: String, top: Int? = nil) -> String {
        let rows = top.map { Array(leaderboard.prefix($0)) } ?? leaderboard
        let width = max(metric.count, 7)
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        var lines = [pad("rank", 4) + "  " + pad(metric, width) + "  epochs  rung  seconds  configuration"]
        for (i, e) in rows.enumerated() {
            let score = e.best.score.isFinite ? String(format: "%.4f", e.best.score) : "failed"
            lines.append(pad("\(i + 1)", 4) + "  " + pad(score, width) + "  " + pad("\(e.training.epochs)", 6) + "  "
                         + pad("\(e.rung)", 4) + "  " + pad(String(format: "%.1f", e.best.seconds), 7) + "  #\(e.configuration + 1) " + e.description)
        }
        return lines.joined(separator: "\n")
    }
}
