import TowerCore
import TowerData
import TowerFormats

/// One recommended item.
public struct Recommendation: Sendable, Equatable {
    /// The item's raw id.
    public var item: String
    /// The dot-product score.
    public var score: Float

    /// An item with its score.
    public init(item: String, score: Float) {
        self.item = item
        self.score = score
    }
}

/// Top-k items for the users of a model: the item tower's embeddings in a ``BruteForceIndex``
/// (exact search, Merlin's and TFRS's `BruteForce`), the query tower run on demand. Each user's
/// training items are left out unless asked for (`includeSeen`), before the top k is chosen.
///
/// From a saved model directory (``init(modelDirectory:)``, what `twotower recommend` and `serve`
/// do) or from a model trained in memory (``init(_:)``, no file read or written); the two give
/// the same lists and scores for the same model.
public final class Recommender {
    /// The loaded checkpoint.
    public let checkpoint: ModelCheckpoint
    /// The model with the saved weights.
    public let model: TwoTowerModel
    /// Every item's embedding.
    public let index: BruteForceIndex

    /// Loads the model directory `path`.
    /// - Throws: `PersistenceError` for a missing or corrupt directory, `RetrievalError` for a model without items.
    /// - Parameter precision: how the item index scores queries (``ScoringPrecision``; the
    ///   server's `--precision`).
    public convenience init(modelDirectory path: String, precision: ScoringPrecision = .float32) throws {
        try self.init(checkpoint: ModelCheckpoint.load(from: path), precision: precision)
    }

    /// A recommender for an already loaded (and verified) `checkpoint`.
    /// - Throws: `PersistenceError` when a tensor is missing or has the wrong shape.
    public convenience init(checkpoint: ModelCheckpoint, precision: ScoringPrecision = .float32) throws {
        try self.init(checkpoint: checkpoint, model: checkpoint.model(), precision: precision)
    }

    /// A recommender for a model trained in memory (``TrainedModel/train(pairs:model:training:threads:observer:)``):
    /// its towers as they are, no file read or written. The item embeddings are computed now; if
    /// the model trains on afterwards, make a new recommender.
    /// - Throws: ``RetrievalError`` for a model without items.
    public convenience init(_ trained: TrainedModel) throws {
        try self.init(checkpoint: trained.checkpoint, model: trained.model)
    }

    /// `model` (whose rows `checkpoint`'s vocabularies and training lists describe) with its item index.
    init(checkpoint: ModelCheckpoint, model: TwoTowerModel, precision: ScoringPrecision = .float32) throws {
        self.checkpoint = checkpoint
        self.model = model
        index = try BruteForceIndex(items: model.itemTower.embedAll(), precision: precision)
    }

    /// The largest |score| a loaded model may reach: half of Float's range (room for the rounding
    /// of `d` terms). The same limit as the server's (`ServingModel.scoreLimit`).
    public static let scoreLimit = Double(Float.greatestFiniteMagnitude) / 2

    /// Refuses a model whose scores could overflow to infinity: by Cauchy–Schwarz every score
    /// `q·v` (and every partial sum) is within `‖q‖·‖v‖`, so the largest query or item norm times
    /// the largest item norm must stay within ``scoreLimit`` (recommendations are user · item,
    /// similar items item · item). Norms are computed in Double, so any Float row is fine.
    /// - Throws: ``ScoreOverflowError`` naming `path` and the product.
    public static func checkFiniteScores(queries: Matrix, items: Matrix, path: String) throws {
        let itemNorm = maxRowNorm(items)
        let product = max(maxRowNorm(queries), itemNorm) * itemNorm
        if !(product <= scoreLimit) { throw ScoreOverflowError(path: path, largestNorms: product) }
    }

    /// ``checkFiniteScores(queries:items:path:)`` for this model (every user's query embedding).
    public func checkFiniteScores(path: String) throws {
        try Self.checkFiniteScores(queries: queryEmbeddings(), items: index.items, path: path)
    }

    /// The largest Euclidean norm of a row, in Double.
    public static func maxRowNorm(_ m: Matrix) -> Double {
        var best = 0.0
        for r in 0..<m.rows {
            var s = 0.0
            for v in m.row(r) { s += Double(v) * Double(v) }
            best = max(best, s)
        }
        return best.squareRoot()
    }

    /// Every user's query embedding, `[users, dimensions]`, row `r` for user row `r` (the query
    /// tower run in inference mode over all users, in blocks).
    public func queryEmbeddings() -> Matrix {
        model.queryTower.embedAll()
    }

    /// The `k` best items for the user with raw id `user`.
    /// - Parameters:
    ///   - k: clamped to the number of items left after exclusions.
    ///   - includeSeen: keep the user's training items in the ranking.
    /// - Throws: ``ConfigurationError`` for a user the model was not trained on (``row(ofUser:)``); `RetrievalError` for k ≤ 0.
    public func recommend(user: String, k: Int, includeSeen: Bool = false) throws -> [Recommendation] {
        try recommend(rows: [row(ofUser: user)], k: k, includeSeen: includeSeen, threads: 1)[0]
    }

    /// The query-tower row of the user with raw id `user`.
    /// - Throws: ``ConfigurationError`` naming the id, the model directory and how many users it
    ///   knows, for an id the model was not trained on (a new user has no query embedding).
    public func row(ofUser user: String) throws -> Int32 {
        guard let row = try? checkpoint.users.row(for: user) else {
            let sample = checkpoint.users.ids.prefix(3).map { "\"\($0)\"" }.joined(separator: ", ")
            let model = checkpoint.path == ModelCheckpoint.inMemoryPath ? "the model (in memory)" : "the model in \(checkpoint.path)"
            throw ConfigurationError("unknown user id \"\(user)\": \(model) was trained on \(checkpoint.users.count) users (ids such as \(sample)) and has no query embedding for a user it has not seen")
        }
        return row
    }

    /// The `k` best items of each user row in `rows`, one search over the index for all of them
    /// (`rows.count` queries at once; memory `rows.count × (d + k)`): what `--all-users` runs per block.
    /// - Parameter threads: search threads (`nil`: the index's default for the work).
    public func recommend(rows: [Int32], k: Int, includeSeen: Bool = false, threads: Int? = nil) throws -> [[Recommendation]] {
        guard !rows.isEmpty else { return [] }
        let queries = model.queryTower.forward(rows: rows, training: false)
        let exclude = includeSeen ? nil : IndexLists(rows.map { Array(checkpoint.trainItemsByUser[Int($0)]) })
        let result = try index.search(queries: Matrix(rows: rows.count, columns: queries.columns, values: queries.storage),
                                      k: k, excluding: exclude, threads: threads)
        return rows.indices.map { q in
            zip(result.rows(query: q), result.scores(query: q)).map {
                Recommendation(item: checkpoint.items.id(of: $0.0), score: $0.1)
            }
        }
    }

    /// Top-k for every user, in blocks of `block` users (bounded memory: one block's queries and
    /// results at a time), handing each user's list to `body` in row order and calling
    /// `progress(done, total)` after each block.
    public func recommendAllUsers(k: Int, includeSeen: Bool = false, block: Int = 1024,
                                  progress: (Int, Int) -> Void = { _, _ in },
                                  _ body: (String, [Recommendation]) throws -> Void) throws {
        let total = checkpoint.users.count
        var start = 0
        while start < total {
            let end = min(total, start + max(1, block))
            let lists = try recommend(rows: (start..<end).map { Int32($0) }, k: k, includeSeen: includeSeen)
            for (offset, list) in lists.enumerated() { try body(checkpoint.users.id(of: Int32(start + offset)), list) }
            start = end
            progress(start, total)
        }
    }
}

/// A saved model whose largest embedding norms multiply beyond ``Recommender/scoreLimit``: its
/// scores could be infinite (the server refuses the same models at load).
public struct ScoreOverflowError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var largestNorms: Double
    public var description: String {
        "\(path): the largest embedding norms multiply to \(largestNorms), beyond half of Float's range (\(Recommender.scoreLimit)): scores could overflow to infinity"
    }
}
