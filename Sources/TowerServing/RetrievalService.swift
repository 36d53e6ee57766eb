import Foundation
import Logging

/// What the endpoints do, independent of HTTP: validate a request against the current model,
/// resolve ids and filters to rows, rank (batched unless an allow-list is given) and map rows back
/// to the dataset's ids. Each call takes the current model once, so its response comes entirely
/// from one model version.
public final class RetrievalService: Sendable {
    public let configuration: ServingConfiguration
    public let store: ModelStore
    public let batcher: QueryBatcher
    public let metrics: ServingMetrics
    let logger: Logger

    /// A service for `configuration`; call ``loadInitialModel()`` (or ``reload()``) before serving.
    public init(configuration: ServingConfiguration, logger: Logger = Logger(label: "twotower.serve")) {
        self.configuration = configuration
        store = ModelStore(path: configuration.modelDirectory, precision: configuration.precision)
        let metrics = ServingMetrics()
        self.metrics = metrics
        batcher = QueryBatcher(maxBatch: configuration.maxBatch,
                               maxWait: Double(configuration.maxWaitMicroseconds) / 1e6,
                               workers: configuration.scoringThreads,
                               waitsWhenIdle: configuration.waitsWhenIdle,
                               onBatch: { metrics.batch(size: $0) })
        self.logger = logger
    }

    /// Loads the model directory for the first time. - Throws: the load error.
    @discardableResult
    public func loadInitialModel() async throws -> ServingModel {
        switch await reload() {
        case .loaded(let model): return model
        case .failed(let error, _): throw error
        }
    }

    /// Loads the model directory aside and swaps it in; on failure the old model keeps serving.
    /// The outcome is logged and counted (`twotower_model_reloads_total`).
    public func reload() async -> ModelStore.ReloadOutcome {
        let outcome = await store.reload()
        switch outcome {
        case .loaded(let model):
            metrics.reload(succeeded: true)
            metrics.model(model)
            logger.info("model loaded", metadata: [
                "path": "\(store.path)", "version": "\(model.version)", "items": "\(model.itemCount)",
                "users": "\(model.userCount)", "dimensions": "\(model.dimensions)",
                "load_seconds": "\(String(format: "%.3f", model.loadSeconds))",
            ])
        case .failed(let error, let serving):
            metrics.reload(succeeded: false)
            logger.error(serving == nil ? "model load failed; no model to serve" : "model load failed; keeping the previous model", metadata: [
                "path": "\(store.path)", "error": "\(error)", "serving_version": "\(serving.map { String($0.version) } ?? "none")",
            ])
        }
        return outcome
    }

    /// Stops the scoring threads after answering what is queued.
    public func shutdown() { batcher.stop() }

    // MARK: - Endpoints

    /// `POST /v1/recommend`.
    public func recommend(_ request: RecommendRequest) async throws -> RetrievalResponse {
        let model = try store.model()
        if request.history != nil {
            throw ServingError(status: .unprocessableContent, code: "history_unsupported",
                               message: "this model's query tower embeds a user id, so it cannot embed a history of a new user; give user_id",
                               field: "history")
        }
        let (ids, single) = try idList(request.userID, request.userIDs, names: ("user_id", "user_ids"))
        let k = try validK(request.k)
        let filter = try ItemFilter(request.filter, model: model)
        let excludeSeen = request.excludeSeen ?? true
        var queries: [RetrievalQuery] = []
        for (i, id) in ids.enumerated() {
            let row = try model.userRow(id, field: single ? "user_id" : "user_ids[\(i)]")
            let seen = excludeSeen ? model.checkpoint.trainItemsByUser[Int(row)] : []
            queries.append(RetrievalQuery(embedding: model.userEmbeddings.row(Int(row)), k: k, excluded: filter.excluded(adding: seen)))
        }
        return try await respond(ids: ids, single: single, queries: queries, filter: filter, model: model)
    }

    /// `POST /v1/similar-items`.
    public func similarItems(_ request: SimilarItemsRequest) async throws -> RetrievalResponse {
        let model = try store.model()
        let (ids, single) = try idList(request.itemID, request.itemIDs, names: ("item_id", "item_ids"))
        let k = try validK(request.k)
        let filter = try ItemFilter(request.filter, model: model)
        var queries: [RetrievalQuery] = []
        for (i, id) in ids.enumerated() {
            let row = try model.itemRow(id, field: single ? "item_id" : "item_ids[\(i)]")
            queries.append(RetrievalQuery(embedding: model.index.items.row(Int(row)), k: k, excluded: filter.excluded(adding: [row])))
        }
        return try await respond(ids: ids, single: single, queries: queries, filter: filter, model: model)
    }

    /// `POST /v1/search`.
    public func search(_ request: SearchRequest) async throws -> RetrievalResponse {
        let model = try store.model()
        guard request.embedding.count == model.dimensions else {
            throw ServingError.invalid("embedding", "expected \(model.dimensions) floats (the model's dimension), found \(request.embedding.count)")
        }
        if let bad = request.embedding.firstIndex(where: { !$0.isFinite }) {
            throw ServingError.invalid("embedding[\(bad)]", "expected a finite number, found \(request.embedding[bad])")
        }
        let norm = request.embedding.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        if norm * model.maxItemNorm > ServingModel.scoreLimit {
            let limit = ServingModel.scoreLimit / model.maxItemNorm
            throw ServingError.invalid("embedding", "expected a Euclidean norm of at most \(ServingModel.describe(limit)) (so that scores stay finite in Float: the largest item norm is \(Float(model.maxItemNorm))), found \(norm)")
        }
        let k = try validK(request.k)
        let filter = try ItemFilter(request.filter, model: model)
        let query = RetrievalQuery(embedding: request.embedding, k: k, excluded: filter.excluded)
        return try await respond(ids: [""], single: true, queries: [query], filter: filter, model: model)
    }

    /// `GET /v1/model`.
    public func modelInfo() throws -> ModelInfo { ModelInfo(try store.model()) }

    // MARK: - Helpers

    private func respond(ids: [String], single: Bool, queries: [RetrievalQuery], filter: ItemFilter,
                         model: ServingModel) async throws -> RetrievalResponse {
        let ranked: [RankedItems]
        if let allowed = filter.allowed {
            ranked = try model.rank(queries, allowed: allowed)
        } else {
            ranked = try await batcher.rank(queries, on: model)
        }
        if single { return RetrievalResponse(modelVersion: model.version, results: ranked[0].items(model), queries: nil) }
        return RetrievalResponse(modelVersion: model.version, results: nil,
                                 queries: zip(ids, ranked).map { QueryResults(id: $0.0, results: $0.1.items(model)) })
    }

    /// `k` (default 10) checked against `1...maxK`.
    func validK(_ k: Int?) throws(ServingError) -> Int {
        let k = k ?? 10
        guard k >= 1 && k <= configuration.maxK else {
            throw .invalid("k", "expected an integer in 1...\(configuration.maxK), found \(k)")
        }
        return k
    }

    /// The ids of a request that takes exactly one of `one` (a single id) or `many` (a list).
    func idList(_ one: String?, _ many: [String]?, names: (String, String)) throws(ServingError) -> ([String], single: Bool) {
        switch (one, many) {
        case (let id?, nil): return ([id], true)
        case (nil, let ids?):
            guard !ids.isEmpty else { throw .invalid(names.1, "expected at least one id") }
            guard ids.count <= configuration.maxQueriesPerRequest else {
                throw .invalid(names.1, "expected at most \(configuration.maxQueriesPerRequest) ids, found \(ids.count)")
            }
            return (ids, false)
        case (_?, _?): throw .invalid(names.1, "give \(names.0) or \(names.1), not both")
        case (nil, nil): throw .malformed("the field is required (or \(names.1))", field: names.0)
        }
    }
}
