import Foundation
import TowerFormats
import TwoTower

/// Response bodies of the service (JSON, snake_case).

/// One retrieved item: the dataset's own id and its dot-product score.
public struct ItemScore: Codable, Sendable, Equatable {
    public var itemID: String
    public var score: Float
    enum CodingKeys: String, CodingKey { case itemID = "item_id", score }
    public init(itemID: String, score: Float) { self.itemID = itemID; self.score = score }
}

/// The results of one query of a multi-query request.
public struct QueryResults: Codable, Sendable, Equatable {
    /// The user id (recommend) or item id (similar-items) the results are for.
    public var id: String
    public var results: [ItemScore]
}

/// Answer of `/v1/recommend`, `/v1/similar-items` and `/v1/search`: `results` for a single-query
/// request (`user_id`, `item_id`, `embedding`), `queries` for a multi-query one (`user_ids`,
/// `item_ids`), in request order. Every list is best first: higher score, then lower item row.
public struct RetrievalResponse: Codable, Sendable, Equatable {
    /// The model version every result of this response comes from.
    public var modelVersion: Int
    public var results: [ItemScore]?
    public var queries: [QueryResults]?
    enum CodingKeys: String, CodingKey { case modelVersion = "model_version", results, queries }
}

/// Answer of `GET /v1/model`.
public struct ModelInfo: Codable, Sendable, Equatable {
    public var name: String
    public var path: String
    public var version: Int
    public var dimensions: Int
    public var itemCount: Int
    public var userCount: Int
    public var configuration: SavedModelConfiguration
    public var trainingMetrics: JSONValue?
    public var loadedAt: String
    public var loadSeconds: Double
    public var supportsHistory: Bool
    /// `float32` or `bfloat16:R` (the scoring precision and refinement factor of `--precision`).
    public var scoringPrecision: String

    enum CodingKeys: String, CodingKey {
        case name, path, version, dimensions, itemCount = "item_count", userCount = "user_count"
        case configuration, trainingMetrics = "training_metrics", loadedAt = "loaded_at"
        case loadSeconds = "load_seconds", supportsHistory = "supports_history", scoringPrecision = "scoring_precision"
    }

    init(_ model: ServingModel) {
        name = model.checkpoint.configuration.dataName
        path = model.checkpoint.path
        version = model.version
        dimensions = model.dimensions
        itemCount = model.itemCount
        userCount = model.userCount
        configuration = model.checkpoint.configuration
        trainingMetrics = model.trainingMetrics
        loadedAt = ISO8601DateFormatter().string(from: model.loadedAt)
        loadSeconds = model.loadSeconds
        supportsHistory = false
        scoringPrecision = model.index.precision.description
    }
}

/// Answer of `POST /admin/reload`.
public struct ReloadResponse: Codable, Sendable, Equatable {
    public var reloaded: Bool
    public var modelVersion: Int
    public var error: String?
    enum CodingKeys: String, CodingKey { case reloaded, modelVersion = "model_version", error }
}

/// Answer of `/healthz` and `/readyz`.
public struct StatusResponse: Codable, Sendable, Equatable {
    public var status: String
    public var modelVersion: Int?
    enum CodingKeys: String, CodingKey { case status, modelVersion = "model_version" }
}
