import Foundation
import TowerWorkflows
import TwoTower

/// A ``TrainingObserver`` that records a training run as TensorBoard scalars
/// (`tensorboard --logdir DIR` shows them).
///
/// Series written, with their x coordinate:
/// - per step, at the global step (1, 2, … across epochs): `train/loss` (the batch's mean loss),
///   `train/learning_rate` (the rate the step used) and `train/examples_per_second` (the batch's
///   rows over the monotonic time since the previous step, or since the end of the previous epoch
///   for an epoch's first step, so validation is not counted; absent for the run's very first step,
///   which has no start time);
/// - per epoch, at the epoch number (1-based): `epoch/loss` (the epoch's mean loss) and, when
///   validating, `epoch/validation` (the watched metric);
/// - after the run, ``writeMetrics(_:step:)`` or ``write(_:)``: `test/<metric>`, e.g. `test/recall@10`.
///
/// Events are flushed at the end of every epoch and in ``finish()``. Observer methods cannot throw:
/// the first write error is kept in ``error``, later events are dropped, and ``writeMetrics(_:step:)``
/// and ``close()`` throw it. Not thread-safe: call it from the training loop only.
public final class TensorBoardObserver: TrainingObserver {
    /// The event file writer.
    public let writer: TensorBoardWriter
    /// Steps seen so far (the x coordinate of the last per-step event).
    public private(set) var globalStep = 0
    /// The first error writing an event, after which nothing more is written.
    public private(set) var error: (any Error)?

    private let now: () -> Double
    private let wallClock: () -> Double
    private var lastStepTime: Double?
    /// In the refit pass on train + validation (``refitBegan(epochs:interactions:)``).
    private var refitting = false

    /// An observer writing through `writer`.
    /// - Parameters:
    ///   - now: a monotonic clock in seconds (for examples per second).
    ///   - wallClock: Unix seconds (each event's `wall_time`).
    public init(writer: TensorBoardWriter, now: @escaping () -> Double = TrainingProgress.monotonicSeconds,
                wallClock: @escaping () -> Double = { Date().timeIntervalSince1970 }) {
        self.writer = writer
        self.now = now
        self.wallClock = wallClock
    }

    /// An observer writing a new event file in `directory` (created with its parents if missing).
    /// - Throws: ``TensorBoardError`` naming the directory or file and the cause.
    public convenience init(directory: String) throws {
        try self.init(writer: TensorBoardWriter(directory: directory))
    }

    public func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int) {
        record(loss: loss, examples: examples, learningRate: nil)
    }

    public func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int, learningRate: Float) {
        record(loss: loss, examples: examples, learningRate: learningRate)
    }

    private func record(loss: Float, examples: Int, learningRate: Float?) {
        let t = now()
        let previous = lastStepTime
        lastStepTime = t
        globalStep += 1
        attempt {
            let wall = wallClock(), step = globalStep
            try writer.scalar(tag: "train/loss", value: loss, step: step, wallTime: wall)
            if let learningRate {
                try writer.scalar(tag: "train/learning_rate", value: learningRate, step: step, wallTime: wall)
            }
            if let previous, t > previous {
                try writer.scalar(tag: "train/examples_per_second", value: Float(Double(examples) / (t - previous)),
                                  step: step, wallTime: wall)
            }
        }
    }

    /// After this, `train/*` steps continue the global step and epoch losses go to `refit/loss`
    /// (their epochs count from 1 again), so the search pass's `epoch/*` curves stay as they were.
    public func refitBegan(epochs: Int, interactions: Int) {
        refitting = true
    }

    public func epochEnded(epoch: Int, loss: Double, validation: Double?) {
        attempt {
            let wall = wallClock()
            try writer.scalar(tag: refitting ? "refit/loss" : "epoch/loss", value: Float(loss), step: epoch, wallTime: wall)
            if let validation {
                try writer.scalar(tag: "epoch/validation", value: Float(validation), step: epoch, wallTime: wall)
            }
            try writer.flush()
        }
        lastStepTime = now()  // the next epoch's first step is timed from here, after validation
    }

    public func finish() {
        attempt { try writer.flush() }
    }

    /// Writes `metrics` as `test/<name>` at `step`, sorted by name, and flushes.
    /// - Throws: the first error of this or any earlier write (``TensorBoardError``).
    public func writeMetrics(_ metrics: [String: Double], step: Int) throws {
        if let error { throw error }
        let wall = wallClock()
        do {
            for (name, value) in metrics.sorted(by: { $0.key < $1.key }) {
                try writer.scalar(tag: "test/\(name)", value: Float(value), step: step, wallTime: wall)
            }
            try writer.flush()
        } catch {
            self.error = error
            throw error
        }
    }

    /// Writes a run's test metrics (``RunReport/metrics``) at the epoch whose parameters were
    /// evaluated (``TrainingSummary/bestEpoch``), the x coordinate of `epoch/*`.
    /// - Throws: as ``writeMetrics(_:step:)``.
    public func write(_ report: RunReport) throws {
        try writeMetrics(report.metrics.dictionary, step: report.training.bestEpoch)
    }

    /// Closes the event file.
    /// - Throws: the first write error, or the final flush's.
    public func close() throws {
        if let error {
            try? writer.close()
            throw error
        }
        try writer.close()
    }

    private func attempt(_ body: () throws -> Void) {
        guard error == nil else { return }
        do { try body() } catch { self.error = error }
    }
}
