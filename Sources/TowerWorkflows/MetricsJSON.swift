import Foundation
import TwoTower

/// The `metrics` and `baselines` members shared by the `--metrics-out` files of `train` and
/// `evaluate`: `{"metrics": {"recall@20": …}, "baselines": {"popularity": {…}, …}}`.
/// Non-finite values are left out (JSON has no NaN or infinity).
enum MetricsJSON {
    static func members(metrics: EvaluationResult,
                        baselines: [(name: String, result: EvaluationResult)]) -> [String: Any] {
        var baselineObject: [String: [String: Double]] = [:]
        for (name, result) in baselines { baselineObject[name] = finite(result.dictionary) }
        return ["metrics": finite(metrics.dictionary), "baselines": baselineObject]
    }

    /// Pretty-printed, key-sorted UTF-8 JSON of `object`.
    static func data(_ object: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    /// `value` as a JSON object tree (`NSNull` for `nil`), to merge into a ``data(_:)`` object.
    static func object<T: Encodable>(_ value: T?) throws -> Any {
        guard let value else { return NSNull() }
        return try JSONSerialization.jsonObject(with: JSONEncoder().encode(value), options: [.fragmentsAllowed])
    }

    private static func finite(_ values: [String: Double]) -> [String: Double] {
        values.filter { $0.value.isFinite }
    }
}
