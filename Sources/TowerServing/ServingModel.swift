import Foundation
import TowerCore
import TowerData
import TowerFormats
import TowerWorkflows
import TwoTower

/// One loaded, immutable model version the service answers from: the item embeddings in a
/// ``BruteForceIndex`` and every user's query embedding computed once at load (the query tower is
/// not safe to run from several requests at once, and a lookup is cheaper than a tower pass).
///
/// Built through ``Recommender`` (checkpoint loading and verification, item index), so its
/// rankings are those of `twotower recommend`. A request takes one `ServingModel` and uses it for
/// its whole life: a reload never mixes versions within a response.
public final class ServingModel: Sendable {
    /// The loaded checkpoint (configuration, vocabularies, training items per user).
    public let checkpoint: ModelCheckpoint
    /// Item embeddings `[items, d]`.
    public let index: BruteForceIndex
    /// Query embeddings `[users, d]`, row `r` for user row `r`.
    public let userEmbeddings: Matrix
    /// 1 for the first model the service loaded, +1 per successful reload.
    public let version: Int
    /// When the load finished.
    public let loadedAt: Date
    /// Wall time of the load, seconds.
    public let loadSeconds: Double
    /// The largest Euclidean norm of an item embedding. A score is a dot product, so by
    /// Cauchy–Schwarz every partial sum of `q·v` is within `‖q‖ · maxItemNorm`: a query whose
    /// norm keeps that within ``scoreLimit`` can never score infinity (checked per search request).
    public let maxItemNorm: Double
    /// The largest |score| allowed: half of Float's range (room for the rounding of `d` terms).
    public static let scoreLimit = Recommender.scoreLimit
    /// Test metrics written next to the model by `train --metrics-out` as `metrics.json`, if present.
    public let trainingMetrics: JSONValue?

    /// Loads and verifies the model directory `path` (checksums, shapes, finite embeddings); the
    /// item index scores at `precision` (``ScoringPrecision``; bfloat16 candidates are re-scored
    /// in float32, so every returned score is the float32 score).
    /// - Throws: ``PersistenceError`` for a missing or corrupt directory; ``ServingModelError`` when an
    ///   embedding is not finite.
    public init(modelDirectory path: String, version: Int, precision: ScoringPrecision = .float32) throws {
        let start = Date()
        let recommender = try Recommender(modelDirectory: path, precision: precision)  // the index is built once, at that precision
        checkpoint = recommender.checkpoint
        index = recommender.index
        userEmbeddings = recommender.queryEmbeddings()
        if let bad = index.items.storage.firstIndex(where: { !$0.isFinite }) {
            throw ServingModelError.nonFiniteEmbedding(tower: "item", row: bad / index.dimension, path: path)
        }
        if let bad = userEmbeddings.storage.firstIndex(where: { !$0.isFinite }) {
            throw ServingModelError.nonFiniteEmbedding(tower: "query", row: bad / userEmbeddings.columns, path: path)
        }
        maxItemNorm = Recommender.maxRowNorm(index.items)
        // Recommendations (user · item) and similar items (item · item) must stay finite too:
        // the check `twotower recommend` makes.
        do { try Recommender.checkFiniteScores(queries: userEmbeddings, items: index.items, path: path) } catch let e as ScoreOverflowError {
            throw ServingModelError.scoresOverflow(largestNorms: e.largestNorms, path: path)
        }
        let metricsFile = URL(fileURLWithPath: path).appendingPathComponent("metrics.json")
        trainingMetrics = (try? Data(contentsOf: metricsFile)).flatMap { try? JSONDecoder().decode(JSONValue.self, from: $0) }
        self.version = version
        loadedAt = Date()
        loadSeconds = loadedAt.timeIntervalSince(start)
    }

    /// A limit as a Float when it is one, else as a Double (limits beyond Float's range).
    static func describe(_ limit: Double) -> String { Float(limit).isFinite ? "\(Float(limit))" : "\(limit)" }

    /// Embedding dimension `d`.
    public var dimensions: Int { index.dimension }
    /// Number of items.
    public var itemCount: Int { index.count }
    /// Number of users.
    public var userCount: Int { checkpoint.users.count }

    /// The row of user `id`. - Throws: 404 naming `field`.
    func userRow(_ id: String, field: String) throws(ServingError) -> Int32 {
        guard let row = try? checkpoint.users.row(for: id) else { throw .unknown("user", id: id, field: field) }
        return row
    }

    /// The row of item `id`. - Throws: 404 naming `field`.
    func itemRow(_ id: String, field: String) throws(ServingError) -> Int32 {
        guard let row = try? checkpoint.items.row(for: id) else { throw .unknown("item", id: id, field: field) }
        return row
    }

    /// The raw id of item row `row`.
    func itemID(_ row: Int32) -> String { checkpoint.items.id(of: row) }
}

/// A model directory that loads but cannot be served.
public enum ServingModelError: Error, CustomStringConvertible, Equatable {
    /// A NaN or infinite value in the embeddings of `tower` at `row`.
    case nonFiniteEmbedding(tower: String, row: Int, path: String)
    /// The product of the largest embedding norms exceeds ``ServingModel/scoreLimit``: scores could be infinite.
    case scoresOverflow(largestNorms: Double, path: String)

    public var description: String {
        switch self {
        case let .nonFiniteEmbedding(tower, row, path):
            return "\(path): the \(tower) tower's embedding of row \(row) is not finite (NaN or infinity)"
        case let .scoresOverflow(product, path):
            return "\(path): the largest embedding norms multiply to \(product), beyond half of Float's range (\(ServingModel.scoreLimit)): scores could overflow to infinity"
        }
    }
}
