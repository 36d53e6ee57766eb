import Foundation
import TowerWorkflows

/// "Which knob mattered" in a tune record: for every knob that took more than one value, the
/// validation metric of the configurations per value, ranked by the spread of the per-value means.
///
/// Honest by construction: the comparison uses every configuration's rung-0 trial only — the one
/// trial each configuration has, all with the same epoch budget — so promoted configurations do
/// not count twice or with more epochs. A knob is compared only over the configurations it
/// applies to (the temperature only with cosine scores, logQ not with ccl, …); failed trials are
/// counted per value but left out of the means. The best score over all rungs is shown beside.
struct KnobEffects {
    struct Value {
        var value: String
        /// Configurations with this value (each backed by one rung-0 trial).
        var configurations: Int
        /// Of those, rung-0 trials that failed (no score).
        var failed: Int
        /// Mean and best rung-0 score of the ones that succeeded (`nil`: none did).
        var mean: Double?
        var best: Double?
        /// The best score at any rung.
        var bestAnyRung: Double?
    }

    struct Effect {
        var knob: SearchSpace.Knob
        var values: [Value]
        /// Configurations the knob does not apply to.
        var notApplicable: Int
        /// Largest minus smallest per-value mean (`nil` with fewer than two values scored).
        var spread: Double? {
            let means = values.compactMap(\.mean)
            guard means.count >= 2, let hi = means.max(), let lo = means.min() else { return nil }
            return hi - lo
        }
    }

    /// Knobs that took two or more values, by spread (largest first; unscored ones last, in the
    /// space's order).
    var varied: [Effect]
    /// Knobs with one value in every configuration that ran (`nil`: the knob applied to none).
    var fixed: [(knob: SearchSpace.Knob, value: String?)]
    /// The epochs of rung 0.
    var rungZeroEpochs: Int?

    init(_ record: TuningRecord) {
        var rungZero: [Int: TuningRecord.Trial] = [:], bestAny: [Int: Double] = [:]
        for t in record.trials {
            if t.rung == 0, rungZero[t.configuration] == nil { rungZero[t.configuration] = t }
            if let s = t.score { bestAny[t.configuration] = max(bestAny[t.configuration] ?? -.infinity, s) }
        }
        rungZeroEpochs = record.search.rungEpochs.first
        var varied: [Effect] = [], fixed: [(SearchSpace.Knob, String?)] = []
        for knob in record.knobs {
            var groups: [String: [Int]] = [:], notApplicable = 0
            for c in record.configurations {
                if let v = c.knobs[knob.key] { groups[v, default: []].append(c.index) } else { notApplicable += 1 }
            }
            guard groups.count >= 2 else {
                fixed.append((knob, groups.keys.first))
                continue
            }
            let values = Self.order(Array(groups.keys), choices: knob.choices).map { v -> Value in
                let configs = groups[v]!
                let scores = configs.compactMap { rungZero[$0]?.score }
                let failed = configs.filter { rungZero[$0] != nil && rungZero[$0]!.score == nil }.count
                return Value(value: v, configurations: configs.count, failed: failed,
                             mean: scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count),
                             best: scores.max(), bestAnyRung: configs.compactMap { bestAny[$0] }.max())
            }
            varied.append(Effect(knob: knob, values: values, notApplicable: notApplicable))
        }
        self.varied = varied.enumerated().sorted { a, b in
            switch (a.element.spread, b.element.spread) {
            case let (x?, y?) where x != y: return x > y
            case (.some, .none): return true
            case (.none, .some): return false
            default: return a.offset < b.offset
            }
        }.map(\.element)
        self.fixed = fixed
    }

    /// Values in numeric order when they are all numbers, else in the space's order (values not
    /// among the choices, e.g. the base configuration's, last, alphabetically).
    static func order(_ values: [String], choices: [String]) -> [String] {
        let numbers = values.map(Double.init)
        if numbers.allSatisfy({ $0 != nil }) {
            return zip(values, numbers).sorted { $0.1! < $1.1! }.map(\.0)
        }
        return values.sorted { a, b in
            let i = choices.firstIndex(of: a) ?? Int.max, j = choices.firstIndex(of: b) ?? Int.max
            return i != j ? i < j : a < b
        }
    }
}
