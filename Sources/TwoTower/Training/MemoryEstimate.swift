import Foundation

/// The memory a training configuration needs, estimated from sizes alone before anything is
/// allocated, so an absurd `batchSize`, sampler capacity or dimension is refused with the estimate
/// instead of dying in the allocator.
///
/// Counted (4-byte floats): the parameters with their gradients and optimizer state, the
/// training logits and their gradient `[B, 1+N]`, the item-tower rows of a step `[B+S, width]`
/// with their activations, and each cache's stored rows. `B` is the batch size capped at the
/// training rows; `N` the negatives per row; `S` the corpus draws. Buffers of a few MB and
/// allocator overhead are left out, so the estimate is a lower bound.
public struct MemoryEstimate: Sendable, Equatable, CustomStringConvertible {
    /// One term of the estimate.
    public struct Part: Sendable, Equatable {
        /// The configuration field that sets its size (`batchSize`, `samplers`, `dimensions`).
        public var field: String
        /// What it is, e.g. `score matrix 1000 × 1001`.
        public var what: String
        /// Estimated bytes (Double: a hostile configuration overflows `Int`).
        public var bytes: Double
    }

    public var parts: [Part]

    /// Total estimated bytes.
    public var bytes: Double { parts.reduce(0) { $0 + $1.bytes } }

    /// The largest part.
    public var largest: Part? { parts.max { $0.bytes < $1.bytes } }

    public var description: String {
        "\(Self.format(bytes)) (" + parts.sorted { $0.bytes > $1.bytes }.prefix(3)
            .map { "\($0.what): \(Self.format($0.bytes))" }.joined(separator: ", ") + ")"
    }

    /// `39.7 GB`, `512 MB`, `12 KB` (powers of 1000).
    public static func format(_ bytes: Double) -> String {
        let units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"]
        var v = bytes, u = 0
        while v >= 1000 && u < units.count - 1 { v /= 1000; u += 1 }
        if u == units.count - 1 && v >= 1000 { return String(format: "%.1e B", bytes) }
        return u == 0 ? "\(Int(v)) B" : String(format: "%.1f %@", v, units[u])
    }

    /// The default ceiling: the machine's physical memory.
    public static var physicalMemoryLimit: Double { Double(ProcessInfo.processInfo.physicalMemory) }
}

extension TrainingConfiguration {
    /// The memory training `model` on `trainingRows` interactions of `userCount` users and
    /// `itemCount` items needs; see ``MemoryEstimate``.
    public func memoryEstimate(model: ModelConfiguration, userCount: Int, itemCount: Int,
                               trainingRows: Int) -> MemoryEstimate {
        let f = 4.0
        func count(_ x: Double) -> String { String(format: "%.0f", x) }
        let b = Double(max(1, min(batchSize, max(trainingRows, 1))))
        let d = Double(model.dimensions)
        let e = Double(model.tower == .mf || model.inferEmbeddingSizes ? model.dimensions
                       : (model.embeddingDimensions ?? model.dimensions))
        let hidden = model.tower == .mlp ? model.hiddenLayers.map(Double.init) : []
        var negatives = 0.0, draws = 0.0, largestSamplerNegatives = 0.0
        var parts: [MemoryEstimate.Part] = []
        for s in samplers {
            switch s {
            case .inBatch: negatives += b
            case .crossBatch(let c), .cachedUniform(let c):
                negatives += Double(c)
                largestSamplerNegatives = max(largestSamplerNegatives, Double(c))
                // The ring's rows and the copy handed to the scorer, plus two id arrays.
                parts.append(.init(field: "samplers", what: "\(s) cache of \(c) × \(model.dimensions)",
                                   bytes: Double(c) * (2 * d * f + 16)))
            case .uniform(let n), .popularity(let n):
                negatives += Double(n)
                draws += Double(n)
                largestSamplerNegatives = max(largestSamplerNegatives, Double(n))
            }
        }
        // Logits and their gradient.
        // Charged to the batch size unless a sampler brings more negatives than the batch.
        parts.append(.init(field: largestSamplerNegatives > b ? "samplers" : "batchSize", what: "score matrix \(count(b)) × \(count(1 + negatives))",
                           bytes: 2 * b * (1 + negatives) * f))
        // Item-tower rows of a step (positives and draws) and the query rows: activations and
        // their gradients through every layer.
        let width = e + hidden.reduce(0, +) + d
        // Charged to the larger factor: the rows (batch, or sampler draws) or the widest layer.
        let widest: (field: String, size: Double) = [
            ("dimensions", d), ("embeddingDimensions", e == d ? 0 : e), ("hiddenLayers", hidden.max() ?? 0),
        ].max { $0.1 < $1.1 }!
        let rowsField = draws > 2 * b ? "samplers" : "batchSize"
        parts.append(.init(field: 2 * b + draws >= width ? rowsField : widest.field, what: "tower activations \(count(b + draws)) + \(count(b)) rows",
                           bytes: 3 * (2 * b + draws) * width * f))
        // Parameters: value, gradient (dense) or touched rows (sparse), optimizer state.
        let states: Double = switch optimizer { case .adam: 2; case .adagrad: 1; case .sgd: 0 }
        var parameters = Double(userCount + itemCount) * e
        var input = e
        for h in hidden + (model.tower == .mlp ? [d] : []) { parameters += input * h + h; input = h }
        // Charged to the embedding width, unless the hidden layers' weights outweigh the tables.
        let tables = Double(userCount + itemCount) * e
        let parameterField = parameters - tables > tables ? "hiddenLayers" : (e == d ? "dimensions" : "embeddingDimensions")
        parts.append(.init(field: parameterField, what: "parameters of \(userCount + itemCount) rows × \(count(e))",
                           bytes: parameters * f * (2 + states)))
        return MemoryEstimate(parts: parts)
    }

    /// Refuses a configuration whose ``memoryEstimate(model:userCount:itemCount:trainingRows:)``
    /// exceeds `limit` bytes (default: physical memory).
    /// - Throws: ``ConfigurationError`` naming the field of the largest part, with the estimate
    ///   and the limit.
    public func validateMemory(model: ModelConfiguration, userCount: Int, itemCount: Int, trainingRows: Int,
                               limit: Double = MemoryEstimate.physicalMemoryLimit) throws {
        let estimate = memoryEstimate(model: model, userCount: userCount, itemCount: itemCount, trainingRows: trainingRows)
        guard estimate.bytes > limit, let largest = estimate.largest else { return }
        let value: String = switch largest.field {
        case "batchSize": "\(batchSize)"
        case "samplers": samplers.map(\.description).joined(separator: ", ")
        case "embeddingDimensions": "\(model.embeddingDimensions ?? model.dimensions)"
        case "hiddenLayers": model.hiddenLayers.map(String.init).joined(separator: ",")
        default: "\(model.dimensions)"
        }
        throw ConfigurationError("{\(largest.field)} \(value): training needs an estimated \(estimate), more than the memory limit of \(MemoryEstimate.format(limit)) (physical memory); lower {\(largest.field)}")
    }
}
