import Foundation
import TwoTower

/// The loss and speed of a training run over time, downsampled to a bounded number of points —
/// what the HTML report draws (`"history"` in the `--metrics-out` JSON and `run.json`).
///
/// The run's steps (numbered 1, 2, … across epochs) are cut into at most `maxPoints` consecutive
/// buckets of equal length (the last may be shorter); each point describes one bucket:
/// - `steps[i]`: the bucket's last global step;
/// - `loss[i]`: the mean of the bucket's batch losses (exactly the step's loss when there are
///   fewer steps than points);
/// - `smoothed[i]`: the bias-corrected exponential moving average of the batch losses at that
///   step, `β = smoothing` (what the progress line shows);
/// - `seconds[i]`: training seconds elapsed at the bucket's end (time between epochs, i.e.
///   validation, excluded);
/// - `examplesPerSecond[i]`: the bucket's rows over its training seconds (`nil` for a bucket that
///   took no measurable time, e.g. the run's first step alone).
public struct TrainingHistory: Codable, Sendable, Equatable {
    public var steps: [Int]
    public var loss: [Double]
    public var smoothed: [Double]
    public var seconds: [Double]
    public var examplesPerSecond: [Double?]
    /// Global steps run.
    public var totalSteps: Int
    /// The global step at which each epoch ended.
    public var epochEndSteps: [Int]
    /// The EMA factor β of ``smoothed``.
    public var smoothing: Double

    enum CodingKeys: String, CodingKey {
        case steps, loss, smoothed, seconds, examplesPerSecond = "examples_per_second"
        case totalSteps = "total_steps", epochEndSteps = "epoch_end_steps", smoothing
    }
}

/// A ``TrainingObserver`` keeping every step's loss, rows and duration, to build a
/// ``TrainingHistory``. Memory: 16 bytes per step. Not thread-safe: the training loop calls it.
public final class TrainingHistoryRecorder: TrainingObserver {
    private var losses: [Float] = []
    private var examples: [Int32] = []
    private var durations: [Double] = []
    private var epochEnds: [Int] = []
    private var last: Double?
    private let now: () -> Double

    /// - Parameter now: a monotonic clock in seconds.
    public init(now: @escaping () -> Double = TrainingProgress.monotonicSeconds) {
        self.now = now
    }

    /// What the recorder holds, for a resumable checkpoint.
    public struct Snapshot: Codable, Sendable, Equatable {
        public var losses: [Float], examples: [Int32], durations: [Double], epochEnds: [Int]
    }

    /// Every step recorded so far.
    public var snapshot: Snapshot { Snapshot(losses: losses, examples: examples, durations: durations, epochEnds: epochEnds) }

    /// Continues from `snapshot` (the next step's duration is timed from this call).
    public func restore(_ snapshot: Snapshot) {
        losses = snapshot.losses; examples = snapshot.examples; durations = snapshot.durations; epochEnds = snapshot.epochEnds
        last = now()
    }

    public func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int) {
        let t = now()
        // The first step of the run has no start time: its duration is unknown (0).
        durations.append(last.map { max(0, t - $0) } ?? 0)
        last = t
        losses.append(loss)
        self.examples.append(Int32(clamping: examples))
    }

    public func epochEnded(epoch: Int, loss: Double, validation: Double?) {
        epochEnds.append(losses.count)
        last = now()  // the next epoch's first step is timed from here, after validation
    }

    /// The recorded run in at most `maxPoints` points (≥ 1), EMA factor `smoothing` in `[0, 1)`.
    public func history(maxPoints: Int = 400, smoothing: Double = 0.98) -> TrainingHistory {
        precondition(maxPoints >= 1 && smoothing >= 0 && smoothing < 1)
        let n = losses.count
        let bucket = max(1, (n + maxPoints - 1) / maxPoints)
        var out = TrainingHistory(steps: [], loss: [], smoothed: [], seconds: [], examplesPerSecond: [],
                                  totalSteps: n, epochEndSteps: epochEnds, smoothing: smoothing)
        var average = 0.0, elapsed = 0.0
        var start = 0
        while start < n {
            let end = min(n, start + bucket)
            var sum = 0.0, rows = 0, time = 0.0
            for i in start..<end {
                let l = Double(losses[i])
                sum += l
                average = smoothing * average + (1 - smoothing) * l
                rows += Int(examples[i])
                time += durations[i]
            }
            elapsed += time
            out.steps.append(end)
            out.loss.append(sum / Double(end - start))
            out.smoothed.append(average / (1 - pow(smoothing, Double(end))))
            out.seconds.append(elapsed)
            // The run's first step has no duration: leave its rows out of the first bucket's rate.
            let timedRows = start == 0 ? rows - Int(examples[0]) : rows
            out.examplesPerSecond.append(time > 0 && timedRows > 0 ? Double(timedRows) / time : nil)
            start = end
        }
        return out
    }
}
