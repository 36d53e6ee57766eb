import Foundation
import TowerData
import TowerFormats
import TwoTower

/// Everything a `twotower train` run measured: the model's metrics, the baselines' on the same
/// split, and the training figures.
public struct RunReport: Sendable {
    /// The data's name.
    public var dataName: String
    /// Statistics of the training split.
    public var statistics: DatasetStatistics
    /// Held-out users (per-user) or rows (per-row) evaluated.
    public var evaluated: Int
    /// The model's test metrics.
    public var metrics: EvaluationResult
    /// Baselines by name, in print order.
    public var baselines: [(name: String, result: EvaluationResult)]
    /// Training figures.
    public var training: TrainingSummary
    /// Notes from loading the data.
    public var notes: [String]

    /// The metrics table: model and baselines side by side.
    public var table: String {
        MetricsTable.render([("model", metrics)] + baselines)
    }

    /// The `--metrics-out` JSON: `{"metrics": {"recall@20": …}, "baselines": {"popularity": {…}},
    /// "train": {"examples_per_second": …, "seconds": …, "epochs": …}, "data": {…}}`.
    public func json() throws -> Data {
        var object = MetricsJSON.members(metrics: metrics, baselines: baselines)
        object.merge([
            "train": [
                "examples_per_second": training.examplesPerSecond,
                "seconds": training.seconds,
                "epochs": training.epochs,
                "best_epoch": training.bestEpoch,
                "interrupted": training.interrupted,
                // JSON has no NaN: an epoch without a step (or a non-finite loss) is null, not 0.
                "final_loss": training.finalLoss.isFinite ? training.finalLoss as Any : NSNull(),
                "epoch_losses": training.epochLosses.map { $0.isFinite ? $0 as Any : NSNull() },
                "validation": training.validation,
            ] as [String: Any],
            "data": [
                "name": dataName,
                "users": statistics.users,
                "items": statistics.items,
                "train_interactions": statistics.interactions,
                "evaluated": evaluated,
                "protocol": metrics.evaluationProtocol.rawValue,
            ] as [String: Any],
        ]) { _, new in new }
        return try MetricsJSON.data(object)
    }
}
