import Foundation
import TowerData
import TwoTower

/// The second pass of a run with early stopping: a fresh model trained for the best epoch's
/// count on the whole training part (train + validation).
/// In the run record (`run.json`, `--metrics-out`) it is `train.refit`.
public struct RefitSummary: Codable, Sendable, Equatable {
    /// Epochs of the refit (the early-stopped pass's best epoch).
    public var epochs: Int
    /// Interactions it trained on (train + validation).
    public var interactions: Int
    /// Seconds in its training steps.
    public var seconds: Double
    public var examplesPerSecond: Double
    /// Mean loss of its last epoch (`nil` in JSON when not finite).
    public var finalLoss: Double?

    enum CodingKeys: String, CodingKey {
        case epochs, interactions, seconds, examplesPerSecond = "examples_per_second", finalLoss = "final_loss"
    }

    /// The `train.refit` member of the `--metrics-out` JSON.
    var jsonObject: [String: Any] {
        ["epochs": epochs, "interactions": interactions, "seconds": seconds, "examples_per_second": examplesPerSecond,
         "final_loss": finalLoss.flatMap { $0.isFinite ? $0 : nil } as Any? ?? NSNull()]
    }
}

extension TrainingRun {
    /// Early stopping needs a validation set, which comes out of the training part: without a
    /// second pass, `--split ratio:0.75` would train on 65% of the data (the MovieLens-100K
    /// protocol; Microsoft Recommenders' BPR trains on all 75%). So, as Keras Tuner's guide (and
    /// `twotower tune`) do, once early stopping has found the best number of epochs E, a fresh
    /// model — same seed, same settings — is trained for E epochs on train + validation, and that
    /// model is evaluated and saved. The test part is never seen by either pass.
    ///
    /// Returns `nil` (keep the early-stopped model) when the first pass was interrupted, or when
    /// the refit itself is interrupted (Ctrl-C), so an interrupted run still keeps a complete model.
    /// Every rank runs it (collectives inside the trainer); the observers are told by
    /// ``TrainingObserver/refitBegan(epochs:interactions:)``.
    /// - Parameters:
    ///   - first: the summary of the early-stopped pass (its ``TrainingSummary/bestEpoch``).
    ///   - userFeatures: the tower's user features, without `--user-history` (rebuilt here from
    ///     the larger training part; the features the refit model reads come back).
    func refitOnTrainingPart(_ prepared: PreparedData, after first: TrainingSummary,
                             userFeatures baseFeatures: [EntityFeature],
                             observer: (any TrainingObserver)?) throws -> (model: TwoTowerModel, summary: RefitSummary, userFeatures: [EntityFeature])? {
        guard !first.interrupted, stop?.isRequested != true, (prepared.split.validation?.count ?? 0) > 0 else { return nil }
        let whole = prepared.split.trainingPart
        var userFeatures = baseFeatures
        if let n = self.model.userHistory {
            userFeatures.append(.history(users: whole.users, items: whole.items, timestamps: whole.timestamps,
                                         userCount: prepared.userCount, itemCount: prepared.itemCount, count: n))
        }
        let model = TwoTowerModel(configuration: self.model, userCount: prepared.userCount, itemCount: prepared.itemCount,
                                  userFeatures: userFeatures, itemFeatures: prepared.itemFeatures, seed: training.seed)
        var settings = training
        settings.epochs = max(1, first.bestEpoch)
        settings.patience = nil
        let trainer = try Trainer(model: model, configuration: settings, itemCounts: whole.rowCounts().items, threads: threads,
                                  communicator: communicator, negativeScope: negativeScope)
        observer?.refitBegan(epochs: settings.epochs, interactions: whole.count)
        let summary = try trainer.fit(whole, observer: observer, validate: nil, stop: stop)
        if summary.interrupted {
            observer?.message("refit interrupted: keeping the early-stopped model of epoch \(first.bestEpoch)")
            return nil
        }
        return (model, RefitSummary(epochs: summary.epochs, interactions: whole.count, seconds: summary.seconds,
                                    examplesPerSecond: summary.examplesPerSecond, finalLoss: summary.finalLoss), userFeatures)
    }
}
