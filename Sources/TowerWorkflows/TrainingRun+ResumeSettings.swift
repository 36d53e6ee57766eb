import Foundation
import TowerData
import TwoTower

/// The settings a resumed run is compared on (``TrainingRun/resumeSettings()``) and the words
/// of a mismatch.
extension TrainingRun {
    /// The settings a resumed run must share with the saved one, as sorted JSON: everything but
    /// `epochs` (which may be raised), the output and the run-local options (threads, progress,
    /// checkpoint schedule). The data source's paths are not among them: how a path is spelt
    /// depends on the working directory; the files themselves are compared (``restore(from:trainer:recorder:)``).
    func resumeSettings() throws -> String {
        struct Settings: Encodable {
            var model: ModelConfiguration, training: TrainingConfiguration, evaluation: EvaluationSettings
            var negatives: String, validation: Bool, data: [String: String]
        }
        // The data source field by field (its types are not all Codable); unset options are absent.
        var fields: [String: String] = [:]
        for child in Mirror(reflecting: data).children {
            if let label = child.label, !Self.pathFields.contains(label), let value = Self.settingText(child.value) {
                fields[label] = value
            }
        }
        var t = training
        t.epochs = 1
        var e = evaluation
        e.threads = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(Settings(model: model, training: t, evaluation: e, negatives: negativeScope.rawValue,
                                                            validation: validation, data: fields)), as: UTF8.self)
    }

    /// "{field} X differs from the run being resumed (Y)" for each setting that differs, each field
    /// once (`seed` is both the training and the evaluation seed: one flag).
    static func settingDifferences(saved: String, given: String) -> String {
        let keys = differingSettings(Data(saved.utf8), Data(given.utf8))
        guard !keys.isEmpty else { return "its settings differ" }
        var named = Set<String>()
        return keys.compactMap { key -> String? in
            let field = key.name.split(separator: ".").last.map(String.init) ?? key.name
            guard named.insert(field).inserted else { return nil }
            return "{\(field)} \(key.b ?? "unset") differs from the run being resumed (\(key.a ?? "unset"))"
        }.prefix(6).joined(separator: "; ")
    }

    /// The data source's fields left out of ``resumeSettings()``: paths, compared as files.
    static let pathFields: Set<String> = ["path", "testPath"]

    /// A data-source field as text for the settings: an optional's value (`nil`: unset, left out),
    /// a string as it is, anything else as Swift describes it.
    static func settingText(_ value: Any) -> String? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return nil }
            return settingText(wrapped)
        }
        if let split = value as? SplitStrategy { return split.spelling }
        return String(describing: value)
    }

    /// Two settings strings that differ in spelling only (key order, escapes, number format):
    /// both parse and no leaf differs.
    static func sameSettings(_ a: String, _ b: String) -> Bool {
        guard (try? JSONSerialization.jsonObject(with: Data(a.utf8))) is [String: Any],
              (try? JSONSerialization.jsonObject(with: Data(b.utf8))) is [String: Any] else { return false }
        return differingSettings(Data(a.utf8), Data(b.utf8)).isEmpty
    }

    /// Saved settings in this version's spelling: checkpoints of earlier builds kept the data
    /// fields as Swift printed them (`Optional("x")`, `nil`) and the paths; unwrap, drop unset
    /// fields and the paths (compared as files instead).
    static func currentSettingSpelling(_ settings: String) -> String {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(settings.utf8))) as? [String: Any],
              let data = object["data"] as? [String: String] else { return settings }
        var fields: [String: String] = [:]
        for (key, value) in data where !pathFields.contains(key) && value != "nil" {
            var v = value
            if v.hasPrefix("Optional("), v.hasSuffix(")") {
                v = String(v.dropFirst("Optional(".count).dropLast())
                if v.count >= 2, v.hasPrefix("\""), v.hasSuffix("\""), !v.dropFirst().dropLast().contains("\\") {
                    v = String(v.dropFirst().dropLast())
                }
            }
            if key == "split", let spelling = legacySplitSpelling(v) { v = spelling }
            fields[key] = v
        }
        guard fields != data else { return settings }
        object["data"] = fields
        guard let bytes = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return settings }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A split as Swift described it (`TowerData.SplitStrategy.ratio(train: 0.8, validation: 0.0)`)
    /// in the `--split` spelling (`ratio:0.8`); `nil` when it is not such a description.
    static func legacySplitSpelling(_ text: String) -> String? {
        var t = Substring(text)
        if let dot = t.range(of: "SplitStrategy.") { t = t[dot.upperBound...] }
        guard let open = t.firstIndex(of: "("), t.hasSuffix(")") else { return nil }
        let name = t[..<open]
        var values: [String: String] = [:]
        for part in t[t.index(after: open) ..< t.index(before: t.endIndex)].split(separator: ",") {
            let kv = part.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2 else { return nil }
            values[kv[0]] = kv[1].hasPrefix("Optional(") ? String(kv[1].dropFirst("Optional(".count).dropLast()) : kv[1]
        }
        let strategy: SplitStrategy? = switch name {
        case "leaveLastOut": values["validation"].flatMap(Bool.init).map { .leaveLastOut(validation: $0) }
        case "leaveOneOut": values["validation"].flatMap(Bool.init).map { .leaveOneOut(validation: $0) }
        case "ratio": values["train"].flatMap(Double.init).flatMap { t in values["validation"].flatMap(Double.init).map { .ratio(train: t, validation: $0) } }
        case "timeCutoff": values["cutoff"].flatMap { Int64($0) }.map { .timeCutoff(cutoff: $0, validationCutoff: values["validationCutoff"].flatMap { Int64($0) }) }
        default: nil
        }
        return strategy?.spelling
    }
}
