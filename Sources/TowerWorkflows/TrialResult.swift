import Foundation
import TwoTower

/// One trial of `twotower tune`: a configuration trained from scratch on ``TuningData/train`` for
/// at most the epochs of its rung and scored on the validation set after every epoch.
public struct TrialResult: Sendable, Equatable {
    /// 1-based order in which the trials ran.
    public var number: Int
    /// The configuration's index (0-based, in the order they were drawn).
    public var configuration: Int
    /// The successive-halving rung (0 = the fewest epochs).
    public var rung: Int
    /// The epochs the rung allows.
    public var epochBudget: Int
    /// The best validation metric over the epochs run (`-infinity` when the trial failed).
    public var score: Double
    /// The epoch with that score (1-based): the epochs the final run trains for.
    public var bestEpoch: Int
    /// Epochs actually run (fewer than the budget when early stopping fired).
    public var epochsRun: Int
    /// The validation metric after every epoch.
    public var validation: [Double]
    /// Wall-clock seconds of the trial (training and validation).
    public var seconds: Double
    /// Why the trial failed (e.g. a non-finite loss at a high learning rate), `nil` when it did not.
    public var failure: String?

    /// Equal but for the wall-clock time (what "same seed, same search" compares).
    public func sameOutcome(as other: TrialResult) -> Bool {
        var a = self, b = other
        a.seconds = 0; b.seconds = 0
        return a == b
    }
}
