/// How the towers are built. Stored in the model directory's `config.json`.
public struct ModelConfiguration: Codable, Sendable, Equatable {
    /// The tower architecture.
    public enum TowerKind: String, Codable, Sendable, CaseIterable {
        /// Matrix factorisation: each tower is an id embedding of `dimensions` (Merlin's MatrixFactorizationModel).
        case mf
        /// Id embedding (+ side features) → MLP with `hiddenLayers` → `dimensions` (Merlin's TwoTowerModel).
        case mlp
    }

    public var tower: TowerKind = .mf
    /// The output dimension shared by both towers (the dot-product space).
    public var dimensions: Int = 64
    /// Id/feature embedding width for MLP towers; `nil` uses `dimensions`. Ignored when
    /// `inferEmbeddingSizes` is on.
    public var embeddingDimensions: Int? = nil
    /// Merlin's rule: `ceil(cardinality^0.25 × 2)` rounded up to a multiple of 8, per table.
    public var inferEmbeddingSizes: Bool = false
    /// Hidden layer widths of the MLP towers (ReLU); the last layer maps to `dimensions` without activation.
    public var hiddenLayers: [Int] = [128]
    /// L2-normalise both towers' outputs (cosine scores; pair with a temperature such as 0.05).
    public var l2Normalize: Bool = false
    /// Use the item side features the data provides (e.g. MovieLens genres) in the item tower (MLP only).
    public var useItemFeatures: Bool = true
    /// Dropout rate after each hidden layer at training time (MLP only).
    public var dropout: Float = 0
    /// Add the user's `n` most recent training items as a mean-pooled bag to the query tower
    /// (MLP only; YouTube-DNN style). The positive is left out of its own bag while training.
    public var userHistory: Int? = nil

    public init() {}

    /// Checks ranges; throws a ``ConfigurationError`` naming the field.
    public func validate() throws {
        guard dimensions > 0 else { throw ConfigurationError("{dimensions} must be positive, found \(dimensions)") }
        if let e = embeddingDimensions, e <= 0 {
            throw ConfigurationError("{embeddingDimensions} must be positive, found \(e)")
        }
        if let bad = hiddenLayers.first(where: { $0 <= 0 }) {
            throw ConfigurationError("{hiddenLayers}: every width must be positive, found \(bad)")
        }
        guard dropout >= 0 && dropout < 1 else { throw ConfigurationError("{dropout} must be in [0, 1), found \(dropout)") }
        if let h = userHistory {
            guard h > 0 else { throw ConfigurationError("{userHistory} must be positive, found \(h)") }
            guard tower == .mlp else { throw ConfigurationError("{userHistory} needs {tower} mlp (an mf tower has no side features)") }
        }
    }
}
