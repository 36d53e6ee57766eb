/// A negative sampler as the command line and the model configuration name it.
///
/// Spelled `in-batch`, `cross-batch:CAPACITY`, `uniform:COUNT` (uniform draws over the corpus),
/// `cached-uniform:CAPACITY` (Merlin's CachedUniformSampler) and `popularity:COUNT` (log-uniform
/// draws over frequency-ordered ids, Merlin's PopularityBasedSampler). Several samplers together
/// give mixed negatives (Yang et al. 2020): their negatives are concatenated in order.
public enum SamplerSpecification: Sendable, Equatable, Codable, CustomStringConvertible {
    case inBatch
    case crossBatch(capacity: Int)
    case cachedUniform(capacity: Int)
    case uniform(count: Int)
    case popularity(count: Int)

    /// The accepted spellings, for help texts and error messages.
    public static let usage = "in-batch, cross-batch:CAPACITY, cached-uniform:CAPACITY, uniform:COUNT, popularity:COUNT"

    /// Parses `in-batch`, `cross-batch:4096`, ...
    /// - Throws: ``ConfigurationError`` naming the text and the accepted forms.
    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let name = parts.first ?? ""
        func size() throws -> Int {
            guard parts.count == 2 else {
                throw ConfigurationError("sampler \"\(text)\": \(name) needs a size, as in \(name):1024")
            }
            guard let value = Int(parts[1]), value > 0 else {
                throw ConfigurationError("sampler \"\(text)\": expected a positive integer size, found \"\(parts[1])\"")
            }
            return value
        }
        switch name {
        case "in-batch":
            guard parts.count == 1 else { throw ConfigurationError("sampler \"\(text)\": in-batch takes no size") }
            self = .inBatch
        case "cross-batch": self = .crossBatch(capacity: try size())
        case "cached-uniform": self = .cachedUniform(capacity: try size())
        case "uniform": self = .uniform(count: try size())
        case "popularity": self = .popularity(count: try size())
        default:
            throw ConfigurationError("unknown sampler \"\(text)\" (expected one of: \(Self.usage))")
        }
    }

    /// Whether the sampler caches earlier batches' items (`cross-batch`, `cached-uniform`): empty
    /// at the first step, so a set of samplers needs one that is not a cache.
    public var isCache: Bool {
        switch self {
        case .crossBatch, .cachedUniform: true
        case .inBatch, .uniform, .popularity: false
        }
    }

    public var description: String {
        switch self {
        case .inBatch: "in-batch"
        case .crossBatch(let c): "cross-batch:\(c)"
        case .cachedUniform(let c): "cached-uniform:\(c)"
        case .uniform(let n): "uniform:\(n)"
        case .popularity(let n): "popularity:\(n)"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
