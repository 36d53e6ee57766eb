import Foundation
import Hummingbird

/// An error the service answers with: an HTTP status and the JSON body
/// `{"error": {"code": "...", "message": "...", "field": "..."}}`.
///
/// `field` names the request field at fault (`k`, `user_ids[2]`, `embedding[7]`), or is absent
/// when the error is not about one field. Bad input is always 4xx; 5xx means the service cannot
/// answer (503 while no model is loaded or while shutting down).
public struct ServingError: Error, Equatable, Sendable, HTTPResponseError, CustomStringConvertible {
    /// HTTP status of the response.
    public var status: HTTPResponse.Status
    /// Machine-readable code, e.g. `invalid_field`, `unknown_user`.
    public var code: String
    /// What is wrong and what was expected.
    public var message: String
    /// The request field at fault.
    public var field: String?

    public init(status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String {
        "\(status.code) \(code): \(message)" + (field.map { " (field \($0))" } ?? "")
    }

    /// 400: a field has the wrong value.
    public static func invalid(_ field: String, _ message: String) -> ServingError {
        ServingError(status: .badRequest, code: "invalid_field", message: message, field: field)
    }

    /// 400: the body is not the JSON the endpoint expects.
    public static func malformed(_ message: String, field: String? = nil) -> ServingError {
        ServingError(status: .badRequest, code: "malformed_request", message: message, field: field)
    }

    /// 404: an id the model does not know.
    public static func unknown(_ what: String, id: String, field: String) -> ServingError {
        ServingError(status: .notFound, code: "unknown_\(what)",
                     message: "\(what) id \"\(id)\" is not in the model", field: field)
    }

    /// 503: no model is loaded (yet).
    public static let noModel = ServingError(status: .serviceUnavailable, code: "no_model",
                                             message: "no model is loaded")

    /// 503: the service is shutting down and takes no new queries.
    public static let shuttingDown = ServingError(status: .serviceUnavailable, code: "shutting_down",
                                                  message: "the service is shutting down")

    /// The JSON body of the error.
    public struct Body: Codable, Equatable, Sendable {
        public struct Detail: Codable, Equatable, Sendable {
            public var code: String
            public var message: String
            public var field: String?
        }
        public var error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(error: .init(code: code, message: message, field: field))
        return JSONResponse.make(status: status, body)
    }
}
