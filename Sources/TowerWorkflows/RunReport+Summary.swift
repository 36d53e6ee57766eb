import Foundation
import TwoTower

extension RunReport {
    /// The line `twotower train` ends with (after the metrics table, on standard output, also
    /// with `--quiet`), e.g. `trained 6 epochs in 3.1s (210000 examples/s), then the refit: 4
    /// epochs on train + validation in 2.2s; evaluated 610 users`. It says when Ctrl-C stopped
    /// the first pass (`trained 3 epochs (interrupted by Ctrl-C) …`) or the refit (`then the
    /// refit, interrupted by Ctrl-C: kept the early-stopped model of epoch 4`).
    public var summaryLine: String {
        let t = training
        var line = String(format: "trained %@%@ in %.1fs (%.0f examples/s)", Self.epochs(t.epochs),
                          t.interrupted ? " (interrupted by Ctrl-C)" : "", t.seconds, t.examplesPerSecond)
        if let refit {
            line += String(format: ", then the refit: %@ on train + validation in %.1fs", Self.epochs(refit.epochs), refit.seconds)
        } else if refitInterrupted {
            line += ", then the refit, interrupted by Ctrl-C: kept the early-stopped model of epoch \(t.bestEpoch)"
        }
        let unit = metrics.evaluationProtocol == .perUser ? (evaluated == 1 ? "user" : "users") : (evaluated == 1 ? "row" : "rows")
        return line + "; evaluated \(evaluated) \(unit)"
    }

    /// `1 epoch`, `n epochs`.
    static func epochs(_ n: Int) -> String { "\(n) epoch\(n == 1 ? "" : "s")" }
}
