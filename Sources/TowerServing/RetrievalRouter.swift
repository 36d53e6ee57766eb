import Foundation
import Hummingbird

/// The service's routes on a Hummingbird router:
///
/// `GET /healthz`, `GET /readyz`, `GET /v1/model`, `POST /v1/recommend`, `POST /v1/similar-items`,
/// `POST /v1/search`, `GET /metrics`, `POST /admin/reload`. Bodies are JSON (at most
/// ``ServingConfiguration/maxBodyBytes``); errors are ``ServingError`` bodies.
public enum RetrievalRouter {
    /// Every route's path and the method it takes (a known path asked with another method gets 405).
    static let methods: [String: String] = [
        "/healthz": "GET", "/readyz": "GET", "/v1/model": "GET", "/metrics": "GET",
        "/v1/recommend": "POST", "/v1/similar-items": "POST", "/v1/search": "POST", "/admin/reload": "POST",
    ]

    public static func make(_ service: RetrievalService) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: RequestTelemetryMiddleware(metrics: service.metrics))
        let limit = service.configuration.maxBodyBytes

        router.get("/healthz") { _, _ in
            JSONResponse.make(status: .ok, StatusResponse(status: "ok", modelVersion: nil))
        }
        router.get("/readyz") { _, _ in
            guard let model = service.store.current else {
                return JSONResponse.make(status: .serviceUnavailable, StatusResponse(status: "no_model", modelVersion: nil))
            }
            return JSONResponse.make(status: .ok, StatusResponse(status: "ready", modelVersion: model.version))
        }
        router.get("/v1/model") { _, _ in JSONResponse.make(status: .ok, try service.modelInfo()) }
        router.post("/v1/recommend") { request, _ in
            let body = try await decode(RecommendRequest.self, request, limit: limit)
            return JSONResponse.make(status: .ok, try await service.recommend(body))
        }
        router.post("/v1/similar-items") { request, _ in
            let body = try await decode(SimilarItemsRequest.self, request, limit: limit)
            return JSONResponse.make(status: .ok, try await service.similarItems(body))
        }
        router.post("/v1/search") { request, _ in
            let body = try await decode(SearchRequest.self, request, limit: limit)
            return JSONResponse.make(status: .ok, try await service.search(body))
        }
        router.get("/metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: service.metrics.render())))
        }
        router.post("/admin/reload") { request, _ in
            try authorizeAdmin(request, service.configuration)
            switch await service.reload() {
            case .loaded(let model):
                return JSONResponse.make(status: .ok, ReloadResponse(reloaded: true, modelVersion: model.version, error: nil))
            case .failed(let error, let serving):
                return JSONResponse.make(status: .unprocessableContent,
                                         ReloadResponse(reloaded: false, modelVersion: serving?.version ?? 0, error: "\(error)"))
            }
        }
        return router
    }

    /// The body as `T`. - Throws: 413 over `limit` bytes, 400 naming the field for bad JSON.
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int) async throws -> T {
        var request = request
        let buffer: ByteBuffer
        do { buffer = try await request.collectBody(upTo: limit) } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw ServingError(status: .contentTooLarge, code: "body_too_large", message: "the request body is larger than \(limit) bytes")
        } catch {
            // A body the HTTP layer cannot read (a malformed chunked encoding, a connection cut
            // mid-body) is the client's fault: 400, never 500.
            throw ServingError.malformed("the request body could not be read: \(error)")
        }
        return try JSONResponse.decode(T.self, from: Data(buffer.readableBytesView))
    }

    /// Admin routes need the bearer token when one is set, and a loopback-bound service otherwise.
    static func authorizeAdmin(_ request: Request, _ configuration: ServingConfiguration) throws(ServingError) {
        if let token = configuration.adminToken {
            guard request.headers[.authorization] == "Bearer \(token)" else {
                throw ServingError(status: .unauthorized, code: "unauthorized", message: "admin routes need the header Authorization: Bearer <token>", field: nil)
            }
        } else if !configuration.bindsLoopback {
            throw ServingError(status: .forbidden, code: "forbidden",
                               message: "admin routes are served only on a loopback address or with --admin-token")
        }
    }
}
