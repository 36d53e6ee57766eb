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
    /// The metric of ``TrainingSummary/validation`` (`nil` without validation).
    public var validationMetric: String? = nil
    /// Split, catalogue and popularity figures of the data.
    public var details: DataDetails? = nil
    /// Losses and speed over the run.
    public var history: TrainingHistory? = nil
    /// Popularity bias of the model and the baselines (per-user protocol).
    public var popularity: PopularityRecord? = nil
    /// Every setting of the run.
    public var configuration: [ConfigurationEntry] = []
    /// Where it ran.
    public var machine: MachineRecord? = nil
    /// The refit on train + validation after early stopping, when one ran: the evaluated and
    /// saved model is its model.
    public var refit: RefitSummary? = nil
    /// Ctrl-C stopped the refit: the early-stopped model (of ``TrainingSummary/bestEpoch``) was
    /// kept, evaluated and saved. In the JSON: `train.refit_interrupted`.
    public var refitInterrupted = false

    /// The metrics table: model and baselines side by side.
    public var table: String {
        MetricsTable.render([("model", metrics)] + baselines)
    }

    /// The `--metrics-out` JSON: `{"metrics": {"recall@20": …}, "baselines": {"popularity": {…}},
    /// "train": {"examples_per_second": …, "seconds": …, "epochs": …}, "data": {…}, "history": …}`,
    /// the schema of ``RunRecord`` (also saved as `run.json` in the model directory).
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
                "validation_metric": validationMetric as Any? ?? NSNull(),
                "refit": refit?.jsonObject as Any? ?? NSNull(),
                "refit_interrupted": refitInterrupted,
            ] as [String: Any],
            "data": [
                "name": dataName,
                "users": statistics.users,
                "items": statistics.items,
                "train_interactions": statistics.interactions,
                "evaluated": evaluated,
                "protocol": metrics.evaluationProtocol.rawValue,
                "details": try MetricsJSON.object(details),
            ] as [String: Any],
            "history": try MetricsJSON.object(history),
            "popularity": try MetricsJSON.object(popularity),
            "configuration": try MetricsJSON.object(configuration),
            "machine": try MetricsJSON.object(machine),
            "version": TwoTowerVersion.string,
        ]) { _, new in new }
        return try MetricsJSON.data(object)
    }

    /// ``json()`` read back as the report reads it.
    public func record() throws -> RunRecord {
        try RunRecord.decode(json(), file: "the run record")
    }
}
