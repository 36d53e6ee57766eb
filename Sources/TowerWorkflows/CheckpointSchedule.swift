import Foundation
import TwoTower

/// When a ``TrainingRun`` with an ``TrainingRun/output`` writes its resumable checkpoint
/// (``ResumeCheckpoint``) into the model directory: `twotower train --checkpoint-every`.
///
/// Writing one is a save of the whole model directory plus the trainer's state (parameters,
/// optimizer moments, caches: about 3× the weights with Adam), fsynced — on ml-latest-small about
/// as long as a tenth of an epoch, so a write after every epoch costs several per cent of a short
/// run. The default is therefore time-based: at most one write a minute, and never sooner after
/// a write than 20 times that write took, so checkpoints cost at most about 5% whatever the
/// model's size, and a crash loses at most about a minute plus one epoch.
///
/// Whatever the schedule, the state at the end of the last completed epoch is kept in memory, so
/// the final save (after all epochs, early stopping or Ctrl-C) holds the checkpoint of the last
/// completed epoch and the run can be resumed (a Ctrl-C'd epoch is trained again from its start).
/// The schedule changes which epochs reach the disk during training, never the training itself:
/// resuming from any of them gives the uninterrupted run's model bit for bit.
public enum CheckpointSchedule: Sendable, Equatable, CustomStringConvertible {
    /// `0`: no checkpoint at all — none during training and none in the saved model (which then
    /// cannot be resumed); nothing is gathered at the end of an epoch.
    case never
    /// `K`: after every K-th epoch (epochs K, 2K, …; `1`: after every epoch).
    case epochs(Int)
    /// `Ns`, `Nm`, `Nh`: after an epoch that ends at least this long after the last write (or the
    /// start of training) and at least ``costFactor`` times the last write's duration after it.
    case interval(seconds: Double)

    /// The default: ``interval(seconds:)`` of 60 s.
    public static let standard = CheckpointSchedule.interval(seconds: 60)
    /// A time-based schedule waits at least this many times the last write's duration (≤ 5% overhead).
    public static let costFactor = 20.0

    /// Parses `0`, a positive integer `K` (epochs), or a positive number with the unit `s`, `m`
    /// or `h` (`90s`, `10m`, `1.5h`).
    /// - Throws: ``ConfigurationError`` naming `{checkpointEvery}` and the accepted forms.
    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let k = Int(t) {
            guard k >= 0 else { throw Self.invalid(text) }
            self = k == 0 ? .never : .epochs(k)
            return
        }
        let units: [(String, Double)] = [("s", 1), ("m", 60), ("h", 3600)]
        guard let (unit, scale) = units.first(where: { t.hasSuffix($0.0) }), let n = Double(t.dropLast(unit.count)),
              n.isFinite, n > 0, n * scale <= 1e9 else { throw Self.invalid(text) }
        self = .interval(seconds: n * scale)
    }

    static func invalid(_ text: String) -> ConfigurationError {
        ConfigurationError("{checkpointEvery} \"\(text)\": expected 0 (no checkpoints), a number of epochs K (every K-th epoch) or a time such as 90s, 10m or 1h (after an epoch ending at least that long after the last checkpoint)")
    }

    /// The spelling ``init(parsing:)`` reads back: `0`, `K`, `90s`.
    public var description: String {
        switch self {
        case .never: "0"
        case let .epochs(k): "\(k)"
        case let .interval(seconds): seconds.rounded() == seconds ? "\(Int(seconds))s" : "\(seconds)s"
        }
    }

    /// Whether the checkpoint after `epoch` (1-based, counted over the whole run) goes to disk.
    /// - Parameters:
    ///   - sinceLastWrite: seconds since the last write ended (or training started).
    ///   - lastWriteSeconds: how long the last write took (0 before the first).
    public func writes(afterEpoch epoch: Int, sinceLastWrite: Double, lastWriteSeconds: Double) -> Bool {
        switch self {
        case .never: false
        case let .epochs(k): epoch % k == 0
        case let .interval(seconds): sinceLastWrite >= max(seconds, Self.costFactor * lastWriteSeconds)
        }
    }
}
