import TowerCore

/// Where ``Trainer/fit(_:observer:validate:stop:resume:checkpoint:)`` stood at the end of an
/// epoch: with the trainer's own state (``Trainer/stateTensors()``) it is all a resumed run needs
/// to continue exactly as the uninterrupted one.
public struct FitCheckpoint: Sendable {
    /// The loop's counters and history.
    public var progress: FitProgress
    /// The best validated epoch's parameters kept so far (in ``TwoTowerModel/parameters`` order;
    /// empty without validation or before the first improvement).
    public var best: [Matrix]

    public init(progress: FitProgress, best: [Matrix]) {
        self.progress = progress
        self.best = best
    }
}

/// The training loop's state after ``epochs`` epochs (the JSON part of a resumable checkpoint).
public struct FitProgress: Codable, Sendable, Equatable {
    /// Epochs completed.
    public var epochs: Int
    /// Seconds spent in training steps so far and the examples they trained on.
    public var seconds: Double
    public var examples: Int
    /// Mean loss of each completed epoch.
    public var losses: [Double]
    /// The validation metric after each completed epoch (empty without validation).
    public var validation: [Double]
    /// The best validation value so far (`nil` before any).
    public var best: Double?
    /// The epoch of ``best`` (without validation: the last epoch).
    public var bestEpoch: Int
    /// Epochs since ``best`` improved (early-stopping patience counter).
    public var sinceBest: Int
    /// Per-row loss and ln(candidates) of the first epochs, `[[perRow, chance]]`, for the
    /// not-learning warning.
    public var nearChance: [[Double]]
    /// Early stopping ended the run after ``epochs``: a resumed run trains no further epoch.
    public var stoppedEarly: Bool

    enum CodingKeys: String, CodingKey {
        case epochs, seconds, examples, losses, validation, best, sinceBest = "since_best", bestEpoch = "best_epoch"
        case nearChance = "near_chance", stoppedEarly = "stopped_early"
    }
}
