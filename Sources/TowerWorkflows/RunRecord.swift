import Foundation

/// The record of one `twotower train` run as the `--metrics-out` JSON holds it, and as `train
/// --output` saves it in the model directory (`run.json`, the same bytes): what the HTML report
/// (TowerReport) draws. Every member after `data` is optional, so files written before they
/// existed still decode.
///
/// ```
/// {"metrics": {"recall@20": …}, "baselines": {"popularity": {…}, "random": {…}, "oracle": {…}},
///  "train": {"seconds": …, "epoch_losses": […], "validation": […], "best_epoch": …, …},
///  "data": {"users": …, "items": …, "train_interactions": …, "details": {…}},
///  "history": {"steps": […], "loss": […], …}, "popularity": {…},
///  "configuration": [{"name": "training.epochs", "value": "3", "default": false}, …],
///  "machine": {"cores": …, "kernel": "avx512", "threads": "auto", "ranks": 1}, "version": "…"}
/// ```
public struct RunRecord: Codable, Sendable, Equatable {
    /// The model's test metrics, `"recall@20"` → value (finite values only).
    public var metrics: [String: Double]
    /// The baselines' metrics by name (`popularity`, `random`, `oracle`).
    public var baselines: [String: [String: Double]]
    public var train: Train
    public var data: DataRecord
    /// Losses and speed over the run (``TrainingHistory``).
    public var history: TrainingHistory?
    /// Popularity-bias figures (per-user protocol).
    public var popularity: PopularityRecord?
    /// Every setting of the run, in a fixed order.
    public var configuration: [ConfigurationEntry]?
    public var machine: MachineRecord?
    /// The `twotower` version that trained.
    public var version: String?

    /// The `"train"` member.
    public struct Train: Codable, Sendable, Equatable {
        public var examplesPerSecond: Double
        /// Seconds in training steps (validation excluded).
        public var seconds: Double
        public var epochs: Int
        /// The epoch whose parameters were kept and evaluated (1-based).
        public var bestEpoch: Int
        /// `nil` when not finite.
        public var finalLoss: Double?
        public var epochLosses: [Double?]
        /// The validation metric per epoch (empty without validation).
        public var validation: [Double]
        /// The metric in ``validation``, e.g. `recall@20` (absent without validation).
        public var validationMetric: String?
        /// The second pass on train + validation whose model was evaluated (absent when none ran).
        public var refit: RefitSummary?

        enum CodingKeys: String, CodingKey {
            case examplesPerSecond = "examples_per_second", seconds, epochs, bestEpoch = "best_epoch"
            case finalLoss = "final_loss", epochLosses = "epoch_losses", validation
            case validationMetric = "validation_metric", refit
        }
    }

    /// The `"data"` member: sizes of the training split and, in `details`, the rest.
    public struct DataRecord: Codable, Sendable, Equatable {
        public var name: String
        /// Users and items with a training interaction, and training interactions.
        public var users: Int
        public var items: Int
        public var trainInteractions: Int
        /// Users (per-user) or rows (per-row) evaluated.
        public var evaluated: Int
        /// `per-user` or `per-row`.
        public var evaluationProtocol: String
        public var details: DataDetails?

        enum CodingKeys: String, CodingKey {
            case name, users, items, trainInteractions = "train_interactions", evaluated
            case evaluationProtocol = "protocol", details
        }
    }
}

/// Sizes, split and item popularity of a run's data.
public struct DataDetails: Codable, Sendable, Equatable {
    /// Rows of the towers: every user and item id of the vocabularies.
    public var catalogueUsers: Int
    public var catalogueItems: Int
    public var testInteractions: Int
    /// `nil` without a validation set.
    public var validationInteractions: Int?
    /// The hold-out, e.g. `leave-last-out`, `ratio:0.8`, or `test file <path>`.
    public var split: String
    /// Training `interactions / (users · items)` of the active users and items.
    public var density: Double
    public var gini: Double
    /// Share of training interactions held by the most popular 1% and 20% of the active items.
    public var topOnePercentShare: Double
    public var topTwentyPercentShare: Double
    /// The long tail: `[rank, count]` pairs, rank 1 = the most popular item, counts descending,
    /// at most about 300 ranks spread evenly on a log scale (first and last rank always kept).
    public var itemPopularity: [[Double]]

    enum CodingKeys: String, CodingKey {
        case catalogueUsers = "catalogue_users", catalogueItems = "catalogue_items"
        case testInteractions = "test_interactions", validationInteractions = "validation_interactions"
        case split, density, gini, topOnePercentShare = "top_1_percent_share"
        case topTwentyPercentShare = "top_20_percent_share", itemPopularity = "item_popularity"
    }

    /// The `[rank, count]` pairs of the long-tail plot from item counts (any order; zero counts
    /// are dropped): log-spaced ranks, at most `maxPoints` + 2.
    public static func longTail(_ counts: [Int], maxPoints: Int = 300) -> [[Double]] {
        let sorted = counts.filter { $0 > 0 }.sorted(by: >)
        guard !sorted.isEmpty else { return [] }
        var ranks: [Int] = []
        let n = Double(sorted.count)
        for i in 0...maxPoints {
            let r = Int(exp(log(n) * Double(i) / Double(maxPoints)).rounded())
            if r >= 1, r <= sorted.count, r != ranks.last { ranks.append(r) }
        }
        if ranks.first != 1 { ranks.insert(1, at: 0) }
        if ranks.last != sorted.count { ranks.append(sorted.count) }
        return ranks.map { [Double($0), Double(sorted[$0 - 1])] }
    }

    /// Share of the total held by the largest `fraction` of the counts (at least one).
    public static func topShare(_ counts: [Int], fraction: Double) -> Double {
        let sorted = counts.filter { $0 > 0 }.sorted(by: >)
        let total = sorted.reduce(0, +)
        guard total > 0 else { return 0 }
        let top = max(1, Int((Double(sorted.count) * fraction).rounded(.up)))
        return Double(sorted.prefix(top).reduce(0, +)) / Double(total)
    }
}

/// Popularity bias of the rankings (``PopularityDeciles`` of TwoTower), per-user protocol.
public struct PopularityRecord: Codable, Sendable, Equatable {
    /// Share of the test interactions in each popularity decile `[10]` (decile 0 = the most popular
    /// 10% of items by training count).
    public var testShares: [Double]
    /// Per ranking (`model`, `popularity`, `random`, `oracle`), per cut-off (`"20"`), the share of
    /// recommended slots in each decile `[10]`.
    public var recommendedShares: [String: [String: [Double]]]

    enum CodingKeys: String, CodingKey {
        case testShares = "test_shares", recommendedShares = "recommended_shares"
    }
}

/// One setting of a run: dotted name (`training.learningRate`), value as text, and whether it is
/// the library's default.
public struct ConfigurationEntry: Codable, Sendable, Equatable {
    public var name: String
    public var value: String
    public var isDefault: Bool

    public init(name: String, value: String, isDefault: Bool) {
        self.name = name
        self.value = value
        self.isDefault = isDefault
    }

    enum CodingKeys: String, CodingKey { case name, value, isDefault = "default" }
}

/// Where a run trained.
public struct MachineRecord: Codable, Sendable, Equatable {
    /// Active processor cores.
    public var cores: Int
    /// The GEMM kernel the CPU's features allow: `avx512`, `avx2-fma` or `portable`.
    public var kernel: String
    /// `--threads`, or `auto` (by problem size).
    public var threads: String
    /// Data-parallel ranks.
    public var ranks: Int
    /// The operating system, e.g. `Linux 6.1`.
    public var system: String
}

extension RunRecord {
    /// The file name of the record inside a model directory.
    public static let fileName = "run.json"

    /// Decodes a record from `data` (the `--metrics-out` JSON or `run.json`).
    /// - Throws: ``RunRecordError`` naming `file` and the member that does not fit.
    public static func decode(_ data: Data, file: String) throws -> RunRecord {
        do {
            return try JSONDecoder().decode(RunRecord.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw RunRecordError("\(file): no \"\((context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))\" member (not a twotower run record)")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw RunRecordError("\(file): \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\": \(context.debugDescription)")
        } catch {
            throw RunRecordError("\(file): not a twotower run record (\(error))")
        }
    }
}

/// A run record that cannot be read: the message names the file and what is wrong.
public struct RunRecordError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
