import Foundation
import Hummingbird
import Logging

/// Outermost middleware: turns every error into the JSON error body (``ServingError``; a
/// framework error keeps its status, e.g. 413 for a body over the limit, 404 for an unknown
/// route), then logs the request (swift-log, one line) and records its count and latency.
struct RequestTelemetryMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServingMetrics

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = Self.errorResponse(error, request: request, context: context)
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let route = context.endpointPath ?? "unmatched"
        metrics.request(route: route, method: request.method.rawValue, status: Int(response.status.code), seconds: seconds)
        context.logger.info("request", metadata: [
            "method": "\(request.method)", "path": "\(request.uri.path)", "status": "\(response.status.code)",
            "duration_us": "\(Int(seconds * 1e6))",
        ])
        return response
    }

    static func errorResponse(_ error: any Error, request: Request, context: Context) -> Response {
        let serving: ServingError
        switch error {
        case let e as ServingError:
            serving = e
        case let e as any HTTPResponseError where e.status == .notFound && RetrievalRouter.methods[request.uri.path] != nil:
            // A known path asked with another method: 405 naming the method it takes.
            let allowed = RetrievalRouter.methods[request.uri.path]!
            serving = ServingError(status: .methodNotAllowed, code: "method_not_allowed",
                                   message: "\(request.uri.path) takes \(allowed), not \(request.method)")
            var response = (try? serving.response(from: request, context: context)) ?? Response(status: serving.status)
            response.headers[.allow] = allowed
            return response
        case let e as any HTTPResponseError:
            let code = e.status.code == 404 ? "not_found" : e.status.code == 413 ? "body_too_large" : "http_\(e.status.code)"
            let message = e.status.code == 413 ? "the request body is larger than the limit"
                : e.status.code == 404 ? "no route \(request.method) \(request.uri.path)" : "\(e.status.reasonPhrase)"
            serving = ServingError(status: e.status, code: code, message: message)
        default:
            context.logger.error("unexpected error", metadata: ["error": "\(error)"])
            serving = ServingError(status: .internalServerError, code: "internal", message: "\(error)")
        }
        return (try? serving.response(from: request, context: context)) ?? Response(status: serving.status)
    }
}
