import Foundation
import TwoTower

/// The searched knobs by name, for the tune record and its report: each knob's choices and the
/// value one configuration took, as text.
extension SearchSpace {
    /// One searched knob: its key (``keys``, the tune flag), a readable name, the space's choices
    /// as text.
    public struct Knob: Codable, Sendable, Equatable {
        public var key: String
        public var name: String
        public var choices: [String]

        public init(key: String, name: String, choices: [String]) {
            self.key = key
            self.name = name
            self.choices = choices
        }
    }

    /// Every knob of the space, in ``keys`` order.
    public var knobs: [Knob] {
        let f = Self.text
        let lists: [(String, String, [String])] = [
            ("learning-rates", "learning rate", learningRates.map(f)),
            ("similarities", "similarity", similarities.map(\.rawValue)),
            ("temperatures", "temperature (cosine)", temperatures.map(f)),
            ("losses", "loss", losses.map(\.rawValue)),
            ("samplers", "negative samplers", samplers.map { $0.map(\.description).joined(separator: "+") }),
            ("logq", "logQ correction", logQ.map(\.rawValue)),
            ("dims", "dimensions", dimensions.map(String.init)),
            ("weight-decays", "weight decay", weightDecays.map(f)),
            ("ccl-margins", "ccl margin", cclMargins.map(f)),
            ("ccl-negative-weights", "ccl negative weight", cclNegativeWeights.map(f)),
            ("embedding-l2s", "embedding L2", embeddingL2s.map(f)),
            ("lr-decays", "lr decay", learningRateDecays.map(\.rawValue)),
        ]
        return lists.map { Knob(key: $0.0, name: $0.1, choices: $0.2) }
    }

    /// The value of every knob that applies to a configuration, keyed by ``keys``: the
    /// temperature only for cosine scores (and a dot product with a temperature other than 1),
    /// logQ not with `ccl`, the ccl margin and negative weight only with `ccl` — as
    /// ``sample(base:using:)`` draws them, so a knob is compared only where it acts.
    public static func knobValues(model: ModelConfiguration, training: TrainingConfiguration) -> [String: String] {
        let f = text
        let ccl = training.loss == .ccl
        var out: [String: String] = [
            "learning-rates": f(training.learningRate),
            "similarities": ccl || model.l2Normalize ? Similarity.cosine.rawValue : Similarity.dot.rawValue,
            "losses": training.loss.rawValue,
            "samplers": training.samplers.map(\.description).joined(separator: "+"),
            "dims": String(model.dimensions),
            "weight-decays": f(training.weightDecay),
            "embedding-l2s": f(training.resolvedEmbeddingL2),
            "lr-decays": (training.learningRateDecay ?? .none).rawValue,
        ]
        if !ccl && (model.l2Normalize || training.temperature != 1) { out["temperatures"] = f(training.temperature) }
        if !ccl { out["logq"] = training.logQ.rawValue }
        if ccl {
            out["ccl-margins"] = f(training.cclParameters.margin)
            out["ccl-negative-weights"] = f(training.cclParameters.negativeWeight)
        }
        return out
    }

    /// A knob value as text: whole numbers without a fraction, others as Swift prints a `Float`.
    static func text(_ x: Float) -> String { x == x.rounded() && abs(x) < 1e6 ? String(Int(x)) : "\(x)" }
}
