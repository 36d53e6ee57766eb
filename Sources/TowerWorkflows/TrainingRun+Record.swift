import Foundation
import TowerCore
import TowerData
import TowerFormats
import TwoTower

/// The parts of a ``RunRecord`` only the run knows: its settings, the machine, the data's split
/// and popularity, the popularity bias of the rankings.
extension TrainingRun {
    /// Every setting: the data source's, then `model.*`, `training.*`, `evaluation.*` (the
    /// Codable members, dotted, sorted), each marked when it equals the default of a fresh
    /// ``TrainingRun`` (the `twotower train` flag defaults, except `training.validationMetric`,
    /// which the CLI moves to the largest k when 20 is not among `--eval-k`).
    public func configurationEntries() -> [ConfigurationEntry] {
        let fresh = TrainingRun()
        func entry(_ name: String, _ value: String, _ defaultValue: String) -> ConfigurationEntry {
            ConfigurationEntry(name: name, value: value, isDefault: value == defaultValue)
        }
        func text(_ value: Float?) -> String { value.map { "\($0)" } ?? "none" }
        var out: [ConfigurationEntry] = [
            entry("data.path", data.path ?? "built-in synthetic", "built-in synthetic"),
            entry("data.format", data.path.map { data.resolvedFormat(for: $0).rawValue } ?? "synthetic",
                  data.path == nil ? "synthetic" : data.path.map { fresh.data.resolvedFormat(for: $0).rawValue } ?? ""),
            entry("data.testPath", data.testPath ?? "none", "none"),
            entry("data.split", data.split?.spelling ?? "auto", "auto"),
            entry("data.minimumRating", text(data.minimumRating), "none"),
            entry("data.userColumn", data.userColumn, fresh.data.userColumn),
            entry("data.itemColumn", data.itemColumn, fresh.data.itemColumn),
            entry("validation", validation || training.patience != nil ? "on" : "off",
                  fresh.validation || fresh.training.patience != nil ? "on" : "off"),
            entry("refit", refit ? "on" : "off", fresh.refit ? "on" : "off"),
            entry("threads", threads.map(String.init) ?? "auto", "auto"),
            entry("negatives", negativeScope.rawValue, fresh.negativeScope.rawValue),
        ]
        func flattened<T: Encodable>(_ value: T) -> [String: String] {
            guard let data = try? JSONEncoder().encode(value),
                  case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: data) else { return [:] }
            return object.mapValues(Self.describe)
        }
        // Optional settings whose nil means "the default": record the value the run used, so the
        // page never shows "none" for an L2 penalty of 0.1 (a new-user trial's finding).
        func resolved(_ t: TrainingConfiguration) -> [String: String] {
            var f = flattened(t)
            f["embeddingL2"] = "\(t.resolvedEmbeddingL2)"
            f["lossReduction"] = t.reduction.rawValue
            f["learningRateDecay"] = t.learningRateDecay.map { "\($0.rawValue)" } ?? "none"
            return f
        }
        var freshTraining = fresh.training
        freshTraining.loss = training.loss  // the L2 default depends on the loss
        for (prefix, mine, base) in [("model", flattened(model), flattened(fresh.model)),
                                     ("training", resolved(training), resolved(freshTraining)),
                                     ("evaluation", flattened(evaluation), flattened(fresh.evaluation))] {
            for key in Set(mine.keys).union(base.keys).sorted() {
                out.append(entry("\(prefix).\(key)", mine[key] ?? "none", base[key] ?? "none"))
            }
        }
        return out
    }

    /// A JSON value as compact text: arrays comma-separated, objects `key=value`.
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "none"
        case .bool(let b): b ? "true" : "false"
        case .integer(let i): "\(i)"
        case .number(let d): "\(Float(d))"  // the settings are Float: print them as typed
        case .string(let s): s
        case .array(let a): a.map(describe).joined(separator: ",")
        case .object(let o): o.keys.sorted().map { "\($0)=\(describe(o[$0]!))" }.joined(separator: " ")
        }
    }

    /// This machine and the run's thread setting.
    public func machineRecord() -> MachineRecord {
        let v = ProcessInfo.processInfo.operatingSystemVersion
        #if os(Linux)
        let system = "Linux \(v.majorVersion).\(v.minorVersion)"
        #else
        let system = "macOS \(v.majorVersion).\(v.minorVersion)"
        #endif
        return MachineRecord(cores: ThreadDefaults.cores, kernel: GemmKernel.nativeName,
                             threads: threads.map(String.init) ?? "auto", ranks: communicator.size, system: system)
    }

    /// The split and popularity figures of `prepared`.
    func dataDetails(_ prepared: PreparedData, statistics: DatasetStatistics) -> DataDetails {
        let counts = prepared.split.trainItemCounts
        let split = data.testPath.map { "test file \($0)" }
            ?? data.split?.spelling
            ?? (prepared.split.train.timestamps != nil ? "leave-last-out" : "leave-one-out")
        return DataDetails(catalogueUsers: prepared.userCount, catalogueItems: prepared.itemCount,
                           testInteractions: prepared.split.test.count,
                           validationInteractions: prepared.split.validation?.count, split: split,
                           density: statistics.density, gini: statistics.giniItemPopularity,
                           topOnePercentShare: statistics.topOnePercentShare,
                           topTwentyPercentShare: DataDetails.topShare(counts, fraction: 0.2),
                           itemPopularity: DataDetails.longTail(counts))
    }

    /// Decile shares of the test interactions and of every ranking's recommended slots (`nil`
    /// when the rankings have none, i.e. the per-row protocol).
    static func popularityRecord(_ split: DatasetSplit, model: EvaluationResult,
                                 baselines: [(name: String, result: EvaluationResult)]) -> PopularityRecord? {
        guard model.popularityDecileShares != nil else { return nil }
        let deciles = PopularityDeciles.deciles(itemCounts: split.trainingPartItemCounts)
        var recommended: [String: [String: [Double]]] = [:]
        for (name, result) in [("model", model)] + baselines {
            guard let shares = result.popularityDecileShares else { continue }
            var byK: [String: [Double]] = [:]
            for (k, s) in zip(result.ks, shares) { byK[String(k)] = s }
            recommended[name] = byK
        }
        return PopularityRecord(testShares: PopularityDeciles.shares(of: split.test.items, deciles: deciles),
                                recommendedShares: recommended)
    }
}
