import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TowerFormats
import TwoTower

/// Reports training progress: epoch, step/total, smoothed loss, examples/s and ETA.
///
/// The trainer calls ``step(epoch:step:totalSteps:loss:examples:)`` after every step. Output goes
/// to an injectable sink (a closure receiving raw text), with time from an injectable clock, so the
/// rendering and throttling are testable:
/// - ``Style/terminal``: one line redrawn in place (`\r`, the text, then `ESC[K` to clear the rest of
///   the line), at most once per `redrawInterval` (0.1 s, ~10 Hz); the last step of an epoch is
///   always drawn and ends the line with `\n`, so each epoch leaves one summary line.
/// - ``Style/lines(every:)``: plain lines (for logs and pipes), one every `every` seconds and one at
///   the end of each epoch.
/// - ``Style/quiet``: no output; the statistics are still kept.
///
/// The loss is an exponential moving average with bias correction (`β = smoothing`), the rate is
/// measured from the first step of the current epoch (so time spent in validation between epochs
/// does not count). The ETA (``etaSeconds``) is the time per step times the steps left in this
/// epoch and in the epochs still to come, plus the last pause between epochs (validation,
/// checkpoint) for each of them; with early stopping (``patience``) the epochs still to come are
/// those patience still allows without an improvement, not the `--epochs` maximum, and when a
/// refit follows (``refitFollows``) its estimate is shown beside (``refitEtaSeconds``). During
/// the refit the ETA covers its own epochs. Not thread-safe: call it from the training loop only.
public final class TrainingProgress: TrainingObserver {
    /// How progress is shown.
    public enum Style: Sendable, Equatable {
        /// One line redrawn in place.
        case terminal
        /// A plain line every `every` seconds and at each epoch end.
        case lines(every: Double)
        /// Nothing.
        case quiet
    }

    /// The style in use.
    public let style: Style
    /// Total number of epochs, if known (enables "epoch e/E" and a whole-run ETA).
    public private(set) var totalEpochs: Int?
    /// Set by ``refitBegan(epochs:interactions:)``: the status line then says `refit epoch e/E`.
    public private(set) var refitting = false
    /// Early stopping's patience (`nil`: none): the run stops after this many validated epochs
    /// without an improvement, so the ETA counts at most the epochs patience still allows.
    public var patience: Int?
    /// A refit follows the early-stopped pass (as many epochs as the best one's number).
    public var refitFollows = false

    private let smoothing: Double
    private let redrawInterval: Double
    private let now: () -> Double
    private let sink: (String) -> Void

    private var average: Double = 0
    private var averagedSteps = 0
    private var epoch = 0
    private var step = 0
    private var totalSteps = 0
    private var epochStart: Double = 0
    private var epochExamples = 0   // examples after the epoch's first step
    private var epochSteps = 0      // steps after the epoch's first step
    private var lastOutput = -Double.infinity
    private var lineOpen = false
    // Early stopping as the trainer counts it (from ``epochEnded(epoch:loss:validation:)``).
    private var best = -Double.infinity
    private var bestEpoch = 0
    private var sinceBest = 0
    private var validating = false
    private var lastEpochEnd: Double?
    /// The last pause between two epochs (validation, checkpoint), seconds.
    private var pause: Double = 0
    private var endSecondsPerStep: Double = 0

    /// A reporter writing to `sink`.
    /// - Parameters:
    ///   - style: terminal redraw, plain lines or quiet.
    ///   - totalEpochs: the number of epochs of the run, if known.
    ///   - smoothing: EMA factor β of the loss, in `[0, 1)`; 0 shows the raw loss.
    ///   - redrawInterval: minimum seconds between terminal redraws.
    ///   - now: a monotonic clock in seconds.
    ///   - sink: receives the raw text (including `\r`, escape codes and newlines).
    public init(style: Style, totalEpochs: Int? = nil, smoothing: Double = 0.98, redrawInterval: Double = 0.1,
                now: @escaping () -> Double = TrainingProgress.monotonicSeconds,
                sink: @escaping (String) -> Void) {
        precondition(smoothing >= 0 && smoothing < 1, "TrainingProgress: smoothing \(smoothing) is not in [0, 1)")
        if case let .lines(every) = style { precondition(every >= 0, "TrainingProgress: line interval \(every) < 0") }
        self.style = style
        self.totalEpochs = totalEpochs
        self.smoothing = smoothing
        self.redrawInterval = redrawInterval
        self.now = now
        self.sink = sink
    }

    /// A reporter on standard output: quiet if `quiet`, redrawn in place if standard output is a
    /// terminal (`isatty(1)`), else plain lines every `lineInterval` seconds.
    /// `redraws: false` prints lines even on a terminal (under `mpirun`, whose pseudo-terminal
    /// would otherwise collect every redraw into one line of a redirected log).
    public static func standardOutput(quiet: Bool = false, totalEpochs: Int? = nil,
                                      lineInterval: Double = 10, redraws: Bool = true) -> TrainingProgress {
        let style: Style = quiet ? .quiet : (redraws && isatty(1) != 0 ? .terminal : .lines(every: lineInterval))
        return TrainingProgress(style: style, totalEpochs: totalEpochs) { text in
            print(text, terminator: "")
            fflush(nil)  // keep ordering with other print() output, and show the redraw now
        }
    }

    /// A reporter on standard error — what `twotower train` uses, so standard output carries only
    /// the results (`train ... > results.txt`, pipes): quiet if `quiet`, redrawn in place if
    /// standard error is a terminal (`isatty(2)`), else plain lines every `lineInterval` seconds.
    /// `redraws: false` as in ``standardOutput(quiet:totalEpochs:lineInterval:redraws:)``.
    /// `patience` and `refitFollows` set ``patience`` and ``refitFollows`` (see ``etaSeconds``).
    public static func standardError(quiet: Bool = false, totalEpochs: Int? = nil, patience: Int? = nil,
                                     refitFollows: Bool = false,
                                     lineInterval: Double = 10, redraws: Bool = true) -> TrainingProgress {
        let style: Style = quiet ? .quiet : (redraws && isatty(2) != 0 ? .terminal : .lines(every: lineInterval))
        let progress = TrainingProgress(style: style, totalEpochs: totalEpochs) { text in
            fflush(nil)  // results printed before stay before
            FileHandle.standardError.write(Data(text.utf8))  // unbuffered
        }
        progress.patience = patience
        progress.refitFollows = refitFollows
        return progress
    }

    /// Seconds on a monotonic clock.
    public static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) * 1e-9
    }

    /// The bias-corrected exponential moving average of the loss (nil before the first step).
    public var smoothedLoss: Double? {
        averagedSteps == 0 ? nil : average / (1 - pow(smoothing, Double(averagedSteps)))
    }

    /// Examples per second over the current epoch (nil until two steps of the epoch were seen).
    public var examplesPerSecond: Double? {
        let elapsed = now() - epochStart
        return epochSteps > 0 && elapsed > 0 ? Double(epochExamples) / elapsed : nil
    }

    /// Epochs still to come after the current one: up to `totalEpochs`, and with early stopping
    /// (outside the refit) no more than patience allows if none of them improves
    /// (`patience − epochs since the best − 1`, the current epoch counting as one without).
    public var epochsAfterCurrent: Int {
        var after = totalEpochs.map { max(0, $0 - epoch) } ?? 0
        if let patience, !refitting { after = min(after, max(0, patience - sinceBest - 1)) }
        return after
    }

    /// Seconds per step over the current epoch (nil until two steps of the epoch were seen).
    private var secondsPerStep: Double? {
        let elapsed = now() - epochStart
        return epochSteps > 0 && elapsed > 0 ? elapsed / Double(epochSteps) : nil
    }

    /// Estimated seconds until the end of this pass (or of the epoch if `totalEpochs` is unknown):
    /// the steps left in this epoch and in ``epochsAfterCurrent`` epochs at the current epoch's
    /// time per step, plus the last pause between epochs for each validation still to come.
    public var etaSeconds: Double? {
        guard let perStep = secondsPerStep else { return nil }
        let after = epochsAfterCurrent
        let steps = max(0, totalSteps - step) + after * totalSteps
        return perStep * Double(steps) + (validating && !refitting ? pause * Double(after + 1) : 0)
    }

    /// The refit's estimate while the first pass runs (nil when no refit follows or during it):
    /// as many epochs as the best epoch's number so far (at least 1) at the current time per
    /// step — train + validation has a few more rows than train, so it is a slight underestimate.
    public var refitEtaSeconds: Double? {
        guard refitFollows, !refitting, let perStep = secondsPerStep else { return nil }
        return perStep * Double(max(1, bestEpoch) * totalSteps)
    }

    /// After each epoch: follows the validation metric as early stopping does.
    public func epochEnded(epoch: Int, loss: Double, validation: Double?) {
        guard let value = validation, !refitting else { return }
        validating = true
        if value > best {
            best = value; bestEpoch = epoch; sinceBest = 0
        } else {
            sinceBest += 1
        }
    }

    /// Records one training step and renders if due.
    /// - Parameters:
    ///   - epoch: 1-based epoch number.
    ///   - step: 1-based step within the epoch, `1...totalSteps`.
    ///   - totalSteps: steps in this epoch.
    ///   - loss: the step's mean loss.
    ///   - examples: examples in this step (the batch size).
    public func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int) {
        let t = now()
        if epoch != self.epoch || step <= 1 || step < self.step {
            // The first step's own time is in `t - end` too.
            if let end = lastEpochEnd, epoch == self.epoch + 1 { pause = max(0, t - end - endSecondsPerStep) }
            lastEpochEnd = nil
            epochStart = t
            epochExamples = 0
            epochSteps = 0
        } else {
            epochExamples += examples
            epochSteps += 1
        }
        self.epoch = epoch
        self.step = step
        self.totalSteps = totalSteps
        average = smoothing * average + (1 - smoothing) * Double(loss)
        averagedSteps += 1

        let epochEnd = step >= totalSteps
        if epochEnd { lastEpochEnd = t; endSecondsPerStep = secondsPerStep ?? 0 }
        switch style {
        case .quiet:
            return
        case .terminal:
            guard epochEnd || t - lastOutput >= redrawInterval else { return }
            lastOutput = t
            sink("\r" + statusLine() + "\u{1B}[K" + (epochEnd ? "\n" : ""))
            lineOpen = !epochEnd
        case let .lines(every):
            if lastOutput == -.infinity { lastOutput = t }  // first line after `every` seconds
            guard epochEnd || t - lastOutput >= every else { return }
            lastOutput = t
            sink(statusLine() + "\n")
        }
    }

    /// Prints `text` as a line of its own (e.g. validation metrics), clearing the progress line first.
    public func message(_ text: String) {
        switch style {
        case .quiet: return
        case .terminal:
            sink((lineOpen ? "\r\u{1B}[K" : "") + text + "\n")
            lineOpen = false
            lastOutput = -.infinity  // redraw the progress line at the next step
        case .lines:
            sink(text + "\n")
        }
    }

    /// The refit pass starts: announces it and counts its epochs from 1 of `epochs`.
    public func refitBegan(epochs: Int, interactions: Int) {
        message(refitAnnouncement(epochs: epochs, interactions: interactions))
        refitting = true
        totalEpochs = epochs
        epoch = 0
        step = 0
        lastEpochEnd = nil
    }

    /// Ends an open terminal line (call once when training stops early).
    public func finish() {
        if lineOpen { sink("\n") }
        lineOpen = false
    }

    /// The current status text, e.g. `epoch 2/10  step 340/977  loss 4.8213  52310 ex/s  ETA 1m12s`.
    public func statusLine() -> String {
        var parts: [String] = []
        parts.append((refitting ? "refit " : "") + (totalEpochs.map { "epoch \(epoch)/\($0)" } ?? "epoch \(epoch)"))
        parts.append("step \(step)/\(totalSteps)")
        if let loss = smoothedLoss { parts.append("loss " + String(format: "%.4f", loss)) }
        if let rate = examplesPerSecond { parts.append("\(Int(rate.rounded())) ex/s") }
        if step >= totalSteps {
            parts.append("epoch time " + formatDuration(now() - epochStart))
        } else if let eta = etaSeconds {
            parts.append("ETA " + formatDuration(eta) + (refitEtaSeconds.map { " + refit " + formatDuration($0) } ?? ""))
        }
        return parts.joined(separator: "  ")
    }
}

/// A compact duration: `4.2s` under 10 s, `42s`, `4m05s`, `1h02m03s`; `--` when not finite or negative.
public func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "--" }
    if seconds < 10 { return String(format: "%.1fs", seconds) }
    let total = Int(seconds.rounded())
    let h = total / 3600, m = (total % 3600) / 60, s = total % 60
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    if h > 0 { return "\(h)h\(two(m))m\(two(s))s" }
    if m > 0 { return "\(m)m\(two(s))s" }
    return "\(s)s"
}
