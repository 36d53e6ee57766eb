import Foundation
import TowerCore
import TowerFormats
import TwoTower

/// The hyperparameters `twotower tune` searches: a list of choices per knob, each drawn uniformly
/// at random (seeded) for every new configuration. A one-element list fixes the knob. The
/// defaults cover the recipes of the published tables (in-batch softmax with and without logQ,
/// cosine with a temperature, many uniform negatives, BPR, SimpleX's CCL).
///
/// The knobs interact the way the papers use them: with `ccl` the scores are raw cosines (L2-
/// normalised towers, no logQ, temperature 1, and a margin and negative weight are drawn); with
/// dot-product scores the temperature only rescales the learning rate, so it stays 1 and
/// `temperatures` applies to cosine scores only.
public struct SearchSpace: Sendable, Equatable {
    /// How query and item embeddings are compared.
    public enum Similarity: String, Sendable, Equatable, CaseIterable {
        /// The dot product of the tower outputs.
        case dot
        /// The cosine: L2-normalised tower outputs (``ModelConfiguration/l2Normalize``).
        case cosine
    }

    public var learningRates: [Float] = [0.001, 0.002, 0.005, 0.01, 0.02]
    public var similarities: [Similarity] = [.dot, .cosine]
    /// Temperatures of cosine scores.
    public var temperatures: [Float] = [0.05, 0.1, 0.2]
    public var losses: [RetrievalLoss] = [.softmaxCrossEntropy, .bpr, .ccl]
    /// Negative sampler sets: each element is the `--sampler` list of one choice (mixed negatives).
    public var samplers: [[SamplerSpecification]] = [[.inBatch], [.inBatch, .uniform(count: 256)],
                                                     [.uniform(count: 1024)], [.inBatch, .uniform(count: 1024)]]
    public var logQ: [LogQMode] = [.none, .streaming]
    /// Output dimensions of the towers (limited by ``TuningRun/maxParameters``).
    public var dimensions: [Int] = [32, 64, 128]
    /// Decoupled weight decay (Adam), see ``TrainingConfiguration/weightDecay``.
    public var weightDecays: [Float] = [0, 0.01, 0.1]
    /// L2 penalties on the looked-up embedding rows, see ``TrainingConfiguration/embeddingL2``.
    public var embeddingL2s: [Float] = [0, 0.03, 0.1, 0.3]
    /// Learning-rate decays over the trial's epochs, see ``TrainingConfiguration/learningRateDecay``.
    public var learningRateDecays: [LearningRateDecay] = [.none, .cosine]
    /// `ccl` only: the margin `m`.
    public var cclMargins: [Float] = [0.5, 0.8, 0.9]
    /// `ccl` only: the negative weight `w`.
    public var cclNegativeWeights: [Float] = [1, 10, 100]

    public init() {}

    /// The keys of a `--space` file, each the tune flag that sets the same list.
    public static let keys = ["learning-rates", "similarities", "temperatures", "losses", "samplers", "logq", "dims",
                              "weight-decays", "ccl-margins", "ccl-negative-weights", "embedding-l2s", "lr-decays"]

    /// Checks that every list is non-empty and holds valid values; throws a ``ConfigurationError``
    /// naming the knob by its key (``keys``) in braces.
    public func validate() throws {
        func nonEmpty(_ count: Int, _ key: String) throws {
            guard count > 0 else { throw ConfigurationError("{\(key)} needs at least one choice") }
        }
        try nonEmpty(learningRates.count, "learning-rates")
        try nonEmpty(similarities.count, "similarities")
        try nonEmpty(temperatures.count, "temperatures")
        try nonEmpty(losses.count, "losses")
        try nonEmpty(samplers.count, "samplers")
        try nonEmpty(logQ.count, "logq")
        try nonEmpty(dimensions.count, "dims")
        try nonEmpty(weightDecays.count, "weight-decays")
        try nonEmpty(cclMargins.count, "ccl-margins")
        try nonEmpty(cclNegativeWeights.count, "ccl-negative-weights")
        try nonEmpty(embeddingL2s.count, "embedding-l2s")
        try nonEmpty(learningRateDecays.count, "lr-decays")
        if let bad = embeddingL2s.first(where: { !($0 >= 0 && $0.isFinite) }) {
            throw ConfigurationError("{embedding-l2s}: every penalty must be ≥ 0, found \(bad)")
        }
        if let bad = learningRates.first(where: { !($0 > 0 && $0.isFinite) }) {
            throw ConfigurationError("{learning-rates}: every learning rate must be a positive number, found \(bad)")
        }
        if let bad = temperatures.first(where: { !($0 > 0 && $0.isFinite) }) {
            throw ConfigurationError("{temperatures}: every temperature must be a positive number, found \(bad)")
        }
        if let bad = dimensions.first(where: { $0 <= 0 }) {
            throw ConfigurationError("{dims}: every dimension must be positive, found \(bad)")
        }
        if let bad = weightDecays.first(where: { !($0 >= 0 && $0.isFinite) }) {
            throw ConfigurationError("{weight-decays}: every weight decay must be ≥ 0, found \(bad)")
        }
        if let bad = cclMargins.first(where: { !($0 >= -1 && $0 < 1) }) {
            throw ConfigurationError("{ccl-margins}: every margin must be in [-1, 1), found \(bad)")
        }
        if let bad = cclNegativeWeights.first(where: { !($0 >= 0 && $0.isFinite) }) {
            throw ConfigurationError("{ccl-negative-weights}: every weight must be ≥ 0, found \(bad)")
        }
        if samplers.contains(where: \.isEmpty) { throw ConfigurationError("{samplers}: a choice holds no sampler") }
        // Train's rules for a sampler set, so the winner's configuration can be trained again.
        for choice in samplers {
            let shown = choice.map(\.description).joined(separator: "+")
            var seen = Set<String>()
            for s in choice where !seen.insert(s.description).inserted {
                throw ConfigurationError("{samplers} \(shown): \(s) is given twice (it would double those negatives, and train refuses it): give each sampler once")
            }
            if choice.allSatisfy(\.isCache) {
                throw ConfigurationError("{samplers} \(shown): only caches of earlier batches, which are empty at the first step (train refuses it); add in-batch or a corpus sampler (uniform:N, popularity:N)")
            }
        }
    }

    /// One configuration drawn from the space on top of `base` (the settings the space does not
    /// search: batch size, optimizer, tower kind, ...). Every knob takes one draw from `generator`
    /// in a fixed order, so the sequence of configurations depends only on the seed.
    public func sample(base: (model: ModelConfiguration, training: TrainingConfiguration),
                       using generator: inout Xoshiro256) -> (model: ModelConfiguration, training: TrainingConfiguration) {
        func pick<T>(_ choices: [T]) -> T { choices[Int(generator.next() % UInt64(choices.count))] }
        var model = base.model, training = base.training
        training.learningRate = pick(learningRates)
        let similarity = pick(similarities)
        let temperature = pick(temperatures)
        training.loss = pick(losses)
        training.samplers = pick(samplers)
        training.logQ = pick(logQ)
        model.dimensions = pick(dimensions)
        training.weightDecay = pick(weightDecays)
        let margin = pick(cclMargins), weight = pick(cclNegativeWeights)
        training.embeddingL2 = pick(embeddingL2s)
        let decay = pick(learningRateDecays)
        training.learningRateDecay = decay == .none ? nil : decay
        model.l2Normalize = similarity == .cosine
        training.temperature = similarity == .cosine ? temperature : 1
        training.cclMargin = nil
        training.cclNegativeWeight = nil
        if training.loss == .ccl {
            model.l2Normalize = true
            training.logQ = .none
            training.temperature = 1
            training.cclMargin = margin
            training.cclNegativeWeight = weight
        }
        return (model, training)
    }

    /// A short description of the searched knobs of a configuration, e.g. `lr 0.005 · cosine
    /// T 0.1 · softmax · in-batch+uniform:256 · logQ streaming · d 64 · wd 0`.
    public static func describe(model: ModelConfiguration, training: TrainingConfiguration) -> String {
        func f(_ x: Float) -> String { x == x.rounded() && abs(x) < 1e6 ? String(Int(x)) : "\(x)" }
        let scores = training.loss == .ccl ? "cosine"
            : model.l2Normalize ? "cosine T \(f(training.temperature))"
            : "dot" + (training.temperature == 1 ? "" : " T \(f(training.temperature))")
        var parts = ["lr \(f(training.learningRate))", scores,
                     training.loss == .ccl ? "ccl m \(f(training.cclParameters.margin)) w \(f(training.cclParameters.negativeWeight))" : training.loss.rawValue,
                     training.samplers.map(\.description).joined(separator: "+")]
        if training.loss != .ccl { parts.append("logQ \(training.logQ.rawValue)") }
        parts.append("d \(model.dimensions)")
        parts.append("wd \(f(training.weightDecay))")
        parts.append("l2 \(f(training.resolvedEmbeddingL2))")
        if let decay = training.learningRateDecay, decay != .none { parts.append("\(decay.rawValue) decay") }
        return parts.joined(separator: " · ")
    }
}

extension SearchSpace {
    /// Reads a `--space` JSON file: an object whose keys are ``keys`` and whose values are arrays
    /// of choices (numbers; strings for `similarities`, `losses`, `logq`, and `samplers`, where
    /// `+` joins the samplers of one mixed choice, e.g. `"in-batch+uniform:1024"`). Keys left out
    /// keep the defaults.
    /// - Throws: ``ConfigurationError`` naming the file and the key for unreadable files, unknown
    ///   keys, values of the wrong type and invalid choices.
    public init(file path: String) throws {
        self.init()
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ConfigurationError("\(path): cannot read the search space file (\(error.localizedDescription))")
        }
        let object: [String: JSONValue]
        do {
            guard case .object(let o) = try JSONDecoder().decode(JSONValue.self, from: bytes) else {
                throw ConfigurationError("\(path): expected a JSON object of lists, e.g. {\"learning-rates\": [0.001, 0.01]}")
            }
            object = o
        } catch let error as ConfigurationError { throw error } catch {
            throw ConfigurationError("\(path): not valid JSON (\(error))")
        }
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            guard Self.keys.contains(key) else {
                throw ConfigurationError("\(path): unknown key \"\(key)\"; the keys are \(Self.keys.joined(separator: ", "))")
            }
            guard case .array(let items) = value else {
                throw ConfigurationError("\(path): \"\(key)\" must be an array of choices")
            }
            func numbers() throws -> [Double] {
                try items.map {
                    switch $0 {
                    case .integer(let i): return Double(i)
                    case .number(let d): return d
                    default: throw ConfigurationError("\(path): \"\(key)\" must hold numbers, found \($0)")
                    }
                }
            }
            func strings() throws -> [String] {
                try items.map {
                    guard case .string(let s) = $0 else { throw ConfigurationError("\(path): \"\(key)\" must hold strings, found \($0)") }
                    return s
                }
            }
            do {
                try set(key, numbers: numbers, strings: strings)
            } catch let error as ConfigurationError where !error.message.hasPrefix(path) {
                throw ConfigurationError("\(path): \"\(key)\": \(error.message(naming: { $0 }))")
            }
        }
    }

    /// Sets the list `key` (one of ``keys``) from its text form, as the tune flags give it:
    /// comma-separated values (`0.001,0.01`; `in-batch,in-batch+uniform:1024` for samplers).
    /// - Throws: ``ConfigurationError`` naming the value.
    public mutating func set(_ key: String, text: String) throws {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        try set(key, numbers: {
            try parts.map {
                guard let v = Double($0) else { throw ConfigurationError("expected comma-separated numbers, found \"\($0)\"") }
                return v
            }
        }, strings: { parts })
    }

    private mutating func set(_ key: String, numbers: () throws -> [Double], strings: () throws -> [String]) throws {
        func floats() throws -> [Float] { try numbers().map(Float.init) }
        func integers() throws -> [Int] {
            try numbers().map {
                guard $0 == $0.rounded(), let i = Int(exactly: $0) else { throw ConfigurationError("expected whole numbers, found \($0)") }
                return i
            }
        }
        func choices<T: RawRepresentable>(_ type: T.Type, _ names: [String]) throws -> [T] where T.RawValue == String {
            try strings().map {
                guard let v = T(rawValue: $0) else {
                    throw ConfigurationError("\"\($0)\" is not one of \(names.joined(separator: ", "))")
                }
                return v
            }
        }
        switch key {
        case "learning-rates": learningRates = try floats()
        case "temperatures": temperatures = try floats()
        case "weight-decays": weightDecays = try floats()
        case "embedding-l2s": embeddingL2s = try floats()
        case "lr-decays": learningRateDecays = try choices(LearningRateDecay.self, LearningRateDecay.allCases.map(\.rawValue))
        case "ccl-margins": cclMargins = try floats()
        case "ccl-negative-weights": cclNegativeWeights = try floats()
        case "dims": dimensions = try integers()
        case "similarities": similarities = try choices(Similarity.self, Similarity.allCases.map(\.rawValue))
        case "losses": losses = try choices(RetrievalLoss.self, RetrievalLoss.allCases.map(\.rawValue))
        case "logq": logQ = try choices(LogQMode.self, LogQMode.allCases.map(\.rawValue))
        case "samplers":
            samplers = try strings().map { choice in
                try choice.split(separator: "+").map { try SamplerSpecification(parsing: String($0)) }
            }
        default: throw ConfigurationError("unknown search-space key \"\(key)\"; the keys are \(Self.keys.joined(separator: ", "))")
        }
    }
}
