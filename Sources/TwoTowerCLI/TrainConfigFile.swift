import ArgumentParser
import Foundation
import TowerFormats
import TowerWorkflows
import TwoTower

/// `twotower train --config FILE`: a JSON object whose keys are train's long flag names without
/// the dashes and whose values are what the flag takes — numbers for numeric flags, strings for
/// the others, `true`/`false` for switches (`false`: not given), a list of strings for the
/// repeatable `sampler`, e.g.
///
///     {"learning-rate": 0.005, "dim": 64, "l2-normalize": true, "temperature": 0.1,
///      "sampler": ["in-batch", "uniform:1024"], "logq": "none", "epochs": 12, "no-early-stopping": true}
///
/// The file's settings come first and the command line's after them: a flag given on the command
/// line replaces the file's value (for `sampler`, the whole list). A switch the file turns on
/// cannot be turned off on the command line (there is no `--no-…` twin); edit the file.
/// `twotower tune --best-config` writes such files (``json(model:training:)``).
enum TrainConfigFile {
    /// What a key's JSON value must be.
    enum Kind: Equatable {
        case integer, number, string, flag
        /// A string, or an array of positive integers joined with commas (`layers`, `eval-k`).
        case list
        /// One of these strings (an enumerated flag).
        case choice([String])
        /// An array of strings, each given as the flag once (`sampler`).
        case repeated
    }

    /// Every `train` option a file may set, by long name.
    static let keys: [String: Kind] = [
        // DataOptions
        "data": .string, "format": .choice(DataSource.Format.allCases.map(\.rawValue)), "user-column": .string,
        "item-column": .string, "timestamp-column": .string, "rating-column": .string, "min-rating": .number,
        "test": .string, "split": .string, "skip-bad-lines": .flag,
        "item-features": .string, "user-features": .string, "item-feature-columns": .string,
        "user-feature-columns": .string, "item-features-key": .string, "user-features-key": .string,
        // ModelOptions
        "dim": .integer, "tower": .choice(ModelConfiguration.TowerKind.allCases.map(\.rawValue)), "layers": .list,
        "embedding-dim": .integer, "infer-embedding-sizes": .flag, "l2-normalize": .flag, "dropout": .number,
        "no-item-features": .flag, "user-history": .integer,
        // TrainingOptions
        "epochs": .integer, "batch-size": .integer, "optimizer": .choice(OptimizerKind.allCases.map(\.rawValue)),
        "learning-rate": .number, "weight-decay": .number, "clip-norm": .number,
        "embedding-l2": .number, "warmup-steps": .integer, "lr-decay": .choice(LearningRateDecay.allCases.map(\.rawValue)),
        "lr-decay-rate": .number, "min-learning-rate": .number, "seed": .integer, "sampler": .repeated,
        "logq": .choice(LogQMode.allCases.map(\.rawValue)), "temperature": .number,
        "temperature-order": .choice(TemperatureOrder.allCases.map(\.rawValue)), "no-false-negative-downscoring": .flag,
        "loss": .choice(RetrievalLoss.allCases.map(\.rawValue)),
        "loss-reduction": .choice(RetrievalLoss.Reduction.allCases.map(\.rawValue)),
        "ccl-margin": .number, "ccl-negative-weight": .number, "patience": .integer, "no-early-stopping": .flag,
        "validation-metric": .string,
        // EvaluationOptions
        "eval-k": .list, "protocol": .choice(EvaluationSettings.ProtocolKind.allCases.map(\.rawValue)), "metrics-out": .string,
        // TrainCommand
        "output": .string, "resume": .string, "tensorboard": .string, "report": .string, "no-report": .flag, "no-refit": .flag, "validate": .flag, "threads": .integer, "quiet": .flag,
        "checkpoint-every": .string,
        "negatives": .choice(NegativeScope.allCases.map(\.rawValue)),
    ]

    /// Replaces `--config FILE` (or `--config=FILE`) in train's arguments by the file's settings,
    /// placed before the command line's; keys the command line also gives are left out. Arguments
    /// without `--config` come back unchanged.
    /// - Throws: `ValidationError` naming the file (and the key) when it cannot be read, is not a
    ///   JSON object, or has an unknown key or a value of the wrong type.
    static func expand(_ arguments: [String]) throws -> [String] {
        var rest: [String] = [], path: String?
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" { rest += arguments[i...]; break }
            if a == "--config" {
                guard i + 1 < arguments.count else { throw ValidationError("--config needs a file") }
                if path != nil { throw ValidationError("--config can be given once") }
                path = arguments[i + 1]
                i += 2
                continue
            }
            if a.hasPrefix("--config=") {
                if path != nil { throw ValidationError("--config can be given once") }
                path = String(a.dropFirst("--config=".count))
                i += 1
                continue
            }
            rest.append(a)
            i += 1
        }
        guard let path else { return arguments }
        return try flags(fromFile: path, except: rest) + rest
    }

    /// The file's settings as flags, leaving out those `commandLine` gives.
    static func flags(fromFile path: String, except commandLine: [String]) throws -> [String] {
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ValidationError("--config \(path): cannot read the file (\(error.localizedDescription))")
        }
        try checkTopLevelKeys(bytes, path: path)
        let object: [String: JSONValue]
        do {
            let value = try JSONDecoder().decode(JSONValue.self, from: bytes)
            guard case .object(let o) = value else {
                throw ValidationError("--config \(path): expected a JSON object of train settings, e.g. {\"learning-rate\": 0.005, \"epochs\": 10}")
            }
            object = o
        } catch let error as ValidationError { throw error } catch {
            throw ValidationError("--config \(path): not valid JSON (\(error))")
        }
        let given = Set(commandLine.compactMap { a -> String? in
            guard a.hasPrefix("--") else { return nil }
            return String(a.dropFirst(2).split(separator: "=", maxSplits: 1).first ?? "")
        })
        var out: [String] = []
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            guard let kind = keys[key] else {
                let hint = keys[key.replacingOccurrences(of: "_", with: "-").lowercased()] != nil
                    ? " (did you mean \"\(key.replacingOccurrences(of: "_", with: "-").lowercased())\"?)" : ""
                throw ValidationError("--config \(path): unknown key \"\(key)\"\(hint); the keys are train's long flag names without the dashes: \(keys.keys.sorted().joined(separator: ", "))")
            }
            let values = try tokens(kind, value, key: key, path: path)
            if given.contains(key) { continue }
            out += values
        }
        return out
    }

    /// The flags for one key; throws a message naming the file, the key and the expected type.
    private static func tokens(_ kind: Kind, _ value: JSONValue, key: String, path: String) throws -> [String] {
        func wrong(_ expected: String) -> ValidationError {
            ValidationError("--config \(path): \"\(key)\" must be \(expected), found \(describe(value))")
        }
        let flag = "--" + key
        switch kind {
        case .flag:
            guard case .bool(let on) = value else { throw wrong("true or false") }
            return on ? [flag] : []
        case .integer:
            switch value {
            case .integer(let i): return [flag, String(i)]
            case .number(let d) where d == d.rounded() && abs(d) < 9e15: return [flag, String(Int64(d))]
            case .string(let s) where key == "seed" && UInt64(s) != nil: return [flag, s]   // seeds beyond Int64
            default: throw wrong("an integer")
            }
        case .number:
            switch value {
            case .integer(let i): return [flag, String(i)]
            case .number(let d): return [flag, "\(d)"]
            default: throw wrong("a number")
            }
        case .string:
            if key == "checkpoint-every", case .integer(let k) = value { return [flag, String(k)] }  // epochs
            guard case .string(let s) = value else { throw wrong("a string") }
            return [flag, s]
        case .choice(let names):
            guard case .string(let s) = value else { throw wrong("a string, one of \(names.joined(separator: ", "))") }
            guard names.contains(s) else { throw wrong("one of \(names.joined(separator: ", "))") }
            return [flag, s]
        case .list:
            switch value {
            case .string(let s): return [flag, s]
            case .integer(let i): return [flag, String(i)]
            case .array(let items):
                let numbers = items.compactMap { item -> Int64? in if case .integer(let i) = item { return i } else { return nil } }
                guard numbers.count == items.count, !items.isEmpty else { throw wrong("a string such as \"10,20\" or an array of integers") }
                return [flag, numbers.map(String.init).joined(separator: ",")]
            default: throw wrong("a string such as \"10,20\" or an array of integers")
            }
        case .repeated:
            switch value {
            case .array(let items):
                return try items.flatMap { item -> [String] in
                    guard case .string(let s) = item else { throw wrong("an array of strings") }
                    return [flag, s]
                }
            default: throw wrong("an array of strings, e.g. [\"in-batch\"]")
            }
        }
    }

    /// Refuses a repeated top-level key (JSON decoders keep the last silently) and a number
    /// beyond Double's range (`1e400`), naming the key; other syntax errors are left to the decoder.
    static func checkTopLevelKeys(_ data: Data, path: String) throws {
        let b = [UInt8](data)
        var i = 0, depth = 0, expectingKey = false, currentKey: String?
        var seen = Set<String>()
        func skipString() -> Int? {  // b[i] is the opening quote; returns the index after the closing one
            var j = i + 1
            while j < b.count {
                if b[j] == 0x5C { j += 2; continue }
                if b[j] == 0x22 { return j + 1 }
                j += 1
            }
            return nil
        }
        while i < b.count {
            let c = b[i]
            switch c {
            case 0x22:  // string
                guard let end = skipString() else { return }
                if depth == 1 && expectingKey {
                    let key = (try? JSONDecoder().decode(String.self, from: Data(b[i..<end]))) ?? String(decoding: b[(i + 1)..<(end - 1)], as: UTF8.self)
                    if !seen.insert(key).inserted {
                        throw ValidationError("--config \(path): the key \"\(key)\" is given twice (JSON keeps only one of them silently): give each setting once")
                    }
                    currentKey = key
                    expectingKey = false
                }
                i = end
                continue
            case 0x7B, 0x5B:
                depth += 1
                if c == 0x7B && depth == 1 { expectingKey = true }
            case 0x7D, 0x5D: depth -= 1
            case 0x2C: if depth == 1 { expectingKey = true }
            case 0x2D, 0x30...0x39:
                var j = i
                while j < b.count, [0x2B, 0x2D, 0x2E, 0x45, 0x65].contains(b[j]) || (0x30...0x39).contains(b[j]) { j += 1 }
                if let d = Double(String(decoding: b[i..<j], as: UTF8.self)), !d.isFinite {
                    let name = currentKey.map { "\"\($0)\" holds" } ?? "it holds"
                    throw ValidationError("--config \(path): \(name) the number \(String(decoding: b[i..<j], as: UTF8.self)), beyond the range of a 64-bit float")
                }
                i = j
                continue
            default: break
            }
            i += 1
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .integer(let i): "the integer \(i)"
        case .number(let d): "the number \(d)"
        case .string(let s): "the string \"\(s)\""
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// A `--config` file that makes `twotower train` build `model` and `training`, with early
    /// stopping off when `training.patience` is `nil` (the file `twotower tune --best-config`
    /// writes: sorted keys, pretty-printed). Fields no flag sets keep their defaults.
    static func json(model: ModelConfiguration, training: TrainingConfiguration) throws -> Data {
        func number(_ x: Float) -> JSONValue { .number(Double("\(x)") ?? Double(x)) }
        var o: [String: JSONValue] = [
            "dim": .integer(Int64(model.dimensions)),
            "tower": .string(model.tower.rawValue),
            "l2-normalize": .bool(model.l2Normalize),
            "epochs": .integer(Int64(training.epochs)),
            "batch-size": .integer(Int64(training.batchSize)),
            "optimizer": .string(training.optimizer.rawValue),
            "learning-rate": number(training.learningRate),
            "weight-decay": number(training.weightDecay),
            "seed": training.seed <= UInt64(Int64.max) ? .integer(Int64(training.seed)) : .string(String(training.seed)),
            "sampler": .array(training.samplers.map { .string($0.description) }),
            "logq": .string(training.logQ.rawValue),
            "temperature": number(training.temperature),
            "temperature-order": .string(training.temperatureOrder.rawValue),
            "no-false-negative-downscoring": .bool(!training.downscoreFalseNegatives),
            "loss": .string(training.loss.rawValue),
            "loss-reduction": .string(training.reduction.rawValue),
        ]
        if let p = training.patience { o["patience"] = .integer(Int64(p)) } else { o["no-early-stopping"] = .bool(true) }
        if let c = training.clipNorm { o["clip-norm"] = number(c) }
        if let l2 = training.embeddingL2 { o["embedding-l2"] = number(l2) }
        if training.warmupSteps > 0 { o["warmup-steps"] = .integer(Int64(training.warmupSteps)) }
        if let decay = training.learningRateDecay, decay != .none { o["lr-decay"] = .string(decay.rawValue) }
        if let r = training.learningRateDecayRate { o["lr-decay-rate"] = number(r) }
        if let m = training.minimumLearningRate { o["min-learning-rate"] = number(m) }
        if let m = training.cclMargin { o["ccl-margin"] = number(m) }
        if let w = training.cclNegativeWeight { o["ccl-negative-weight"] = number(w) }
        if model.tower == .mlp {
            o["layers"] = .string(model.hiddenLayers.map(String.init).joined(separator: ","))
            if let e = model.embeddingDimensions { o["embedding-dim"] = .integer(Int64(e)) }
            o["infer-embedding-sizes"] = .bool(model.inferEmbeddingSizes)
            o["dropout"] = number(model.dropout)
            o["no-item-features"] = .bool(!model.useItemFeatures)
            if let h = model.userHistory { o["user-history"] = .integer(Int64(h)) }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(JSONValue.object(o))
    }
}
