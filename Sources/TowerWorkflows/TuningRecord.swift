import Foundation
import TwoTower

/// The record of one `twotower tune` run: every trial, the leaderboard, the knobs, and the
/// winner's final run (its ``RunRecord``, the same data `tune --metrics-out` writes). Saved as
/// `tune.json` in `tune --output DIR`; the tune report (TowerReport) draws only from it.
///
/// ```
/// {"metric": "recall@20", "data": {"name": …, "train_interactions": …, "validation_interactions": …},
///  "search": {"rung_epochs": [1, 3, 9, 27], "reduction_factor": 3, "stop": "…", "seconds": …, …},
///  "knobs": [{"key": "learning-rates", "name": "learning rate", "choices": ["0.001", …]}, …],
///  "configurations": [{"index": 0, "knobs": {"learning-rates": "0.01", …}, "description": "lr 0.01 · …"}, …],
///  "trials": [{"number": 1, "configuration": 0, "rung": 0, "epoch_budget": 1, "score": 0.21,
///              "best_epoch": 1, "epochs_run": 1, "validation": [0.21], "seconds": 1.2}, …],
///  "leaderboard": [{"configuration": 3, "score": 0.25, "best_trial": 7, "epochs": 3, "rung": 1}, …],
///  "winner": 3, "final": {…a RunRecord…}, "version": "…"}
/// ```
/// Scores of failed trials are absent (`null`): JSON has no infinity.
public struct TuningRecord: Codable, Sendable, Equatable {
    /// The validation metric the trials were ranked by, `METRIC@K`.
    public var metric: String
    public var data: DataPart
    public var search: SearchPart
    /// Every knob of the search space with its choices (configuration #1 is the base settings,
    /// whose values need not be among them).
    public var knobs: [SearchSpace.Knob]
    /// The configurations that ran at least one trial, in the order drawn.
    public var configurations: [Configuration]
    /// Every trial in the order run.
    public var trials: [Trial]
    /// One row per configuration, best first.
    public var leaderboard: [Row]
    /// The chosen configuration's index (`nil` when every trial failed).
    public var winner: Int?
    /// The winner retrained on the whole training part and evaluated on the test part.
    public var final: RunRecord?
    public var version: String?

    public struct DataPart: Codable, Sendable, Equatable {
        public var name: String
        public var trainInteractions: Int
        public var validationInteractions: Int
        enum CodingKeys: String, CodingKey {
            case name, trainInteractions = "train_interactions", validationInteractions = "validation_interactions"
        }
    }

    public struct SearchPart: Codable, Sendable, Equatable {
        /// Epochs of each successive-halving rung.
        public var rungEpochs: [Int]
        public var reductionFactor: Int
        /// Why the search stopped (``TuningRun/Stop``).
        public var stop: String
        /// Seconds of the search (the final run not counted).
        public var seconds: Double
        /// `--time-budget` in seconds and `--trials`, as given.
        public var timeBudget: Double?
        public var trialsAsked: Int?
        /// Configurations drawn that the memory limit or `--max-parameters` excluded.
        public var skipped: Int
        enum CodingKeys: String, CodingKey {
            case rungEpochs = "rung_epochs", reductionFactor = "reduction_factor", stop, seconds
            case timeBudget = "time_budget", trialsAsked = "trials_asked", skipped
        }
    }

    public struct Configuration: Codable, Sendable, Equatable {
        /// 0-based, in the order drawn (shown as `#index+1`).
        public var index: Int
        /// Knob key → value, for the knobs that apply (``SearchSpace/knobValues(model:training:)``).
        public var knobs: [String: String]
        public var description: String
    }

    public struct Trial: Codable, Sendable, Equatable {
        public var number: Int
        public var configuration: Int
        public var rung: Int
        public var epochBudget: Int
        /// The best validation metric over the epochs run; `nil` when the trial failed.
        public var score: Double?
        public var bestEpoch: Int
        public var epochsRun: Int
        /// The validation metric after every epoch.
        public var validation: [Double]
        public var seconds: Double
        public var failure: String?
        enum CodingKeys: String, CodingKey {
            case number, configuration, rung, epochBudget = "epoch_budget", score, bestEpoch = "best_epoch"
            case epochsRun = "epochs_run", validation, seconds, failure
        }
    }

    public struct Row: Codable, Sendable, Equatable {
        public var configuration: Int
        /// The configuration's best score (`nil`: every trial failed).
        public var score: Double?
        /// The number of the trial with that score.
        public var bestTrial: Int
        /// Epochs the final run trains for (the best trial's best epoch).
        public var epochs: Int
        /// The highest rung reached.
        public var rung: Int
        enum CodingKeys: String, CodingKey {
            case configuration, score, bestTrial = "best_trial", epochs, rung
        }
    }
}

extension TuningRecord {
    /// The file name of the record inside `tune --output DIR`.
    public static let fileName = "tune.json"

    /// Pretty-printed, key-sorted JSON.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Decodes a record from `data`.
    /// - Throws: ``RunRecordError`` naming `file` and the member that does not fit.
    public static func decode(_ data: Data, file: String) throws -> TuningRecord {
        do {
            return try JSONDecoder().decode(TuningRecord.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw RunRecordError("\(file): no \"\((context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))\" member (not a twotower tune record)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw RunRecordError("\(file): \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\": \(context.debugDescription)")
        } catch {
            throw RunRecordError("\(file): not a twotower tune record (\(error))")
        }
    }
}

extension TuningRun.Report {
    /// The record of this search run with `run`'s settings (its space, metric and budget):
    /// ``TuningRecord/json()`` read back, so what is drawn is what is saved.
    /// - Throws: ``RunRecordError`` (cannot happen for a record this build wrote).
    public func record(of run: TuningRun) throws -> TuningRecord {
        let s = search
        let byConfiguration = Dictionary(s.leaderboard.map { ($0.configuration, $0) }, uniquingKeysWith: { a, _ in a })
        let configurations = byConfiguration.keys.sorted().map { c -> TuningRecord.Configuration in
            let e = byConfiguration[c]!
            return .init(index: c, knobs: SearchSpace.knobValues(model: e.model, training: e.training), description: e.description)
        }
        let finite: (Double) -> Double? = { $0.isFinite ? $0 : nil }
        let record = TuningRecord(
            metric: run.metric,
            data: .init(name: dataName, trainInteractions: trainInteractions, validationInteractions: validationInteractions),
            search: .init(rungEpochs: s.halving.rungEpochs, reductionFactor: s.halving.reductionFactor, stop: s.stop.rawValue,
                          seconds: s.seconds, timeBudget: run.timeBudget, trialsAsked: run.trials, skipped: s.skipped),
            knobs: run.space.knobs,
            configurations: configurations,
            trials: s.trials.map {
                .init(number: $0.number, configuration: $0.configuration, rung: $0.rung, epochBudget: $0.epochBudget,
                      score: finite($0.score), bestEpoch: $0.bestEpoch, epochsRun: $0.epochsRun, validation: $0.validation,
                      seconds: $0.seconds, failure: $0.failure)
            },
            leaderboard: s.leaderboard.map {
                .init(configuration: $0.configuration, score: finite($0.best.score), bestTrial: $0.best.number,
                      epochs: $0.training.epochs, rung: $0.rung)
            },
            winner: s.winner?.configuration,
            final: try final?.record(),
            version: TwoTowerVersion.string)
        return try TuningRecord.decode(record.json(), file: "the tune record")
    }
}
