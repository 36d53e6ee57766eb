import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import TowerServing

/// Every bad request gets a 4xx JSON error naming the field; never a 500.
@Suite struct ErrorResponseTests {
    struct Case: Sendable, CustomStringConvertible {
        var uri: String
        var body: String
        var status: Int
        var code: String
        var field: String?
        var description: String { "\(uri) \(body.prefix(60))" }
    }

    static let cases: [Case] = [
        Case(uri: "/v1/recommend", body: "{\"user_id\": ", status: 400, code: "malformed_request", field: nil),
        Case(uri: "/v1/recommend", body: "[1, 2]", status: 400, code: "malformed_request", field: nil),
        Case(uri: "/v1/recommend", body: #"{"user_id": 42}"#, status: 400, code: "malformed_request", field: "user_id"),
        Case(uri: "/v1/recommend", body: #"{"user_id": "U", "k": "ten"}"#, status: 400, code: "malformed_request", field: "k"),
        Case(uri: "/v1/recommend", body: #"{"user_ids": ["U", 3]}"#, status: 400, code: "malformed_request", field: "user_ids[1]"),
        Case(uri: "/v1/recommend", body: #"{"user_id": "U", "exclude_seen": "yes"}"#, status: 400, code: "malformed_request", field: "exclude_seen"),
        Case(uri: "/v1/recommend", body: #"{"k": 3}"#, status: 400, code: "malformed_request", field: "user_id"),
        Case(uri: "/v1/recommend", body: #"{"user_id": "U", "user_ids": ["U"]}"#, status: 400, code: "invalid_field", field: "user_ids"),
        Case(uri: "/v1/recommend", body: #"{"user_ids": []}"#, status: 400, code: "invalid_field", field: "user_ids"),
        Case(uri: "/v1/recommend", body: #"{"user_id": "U", "k": 0}"#, status: 400, code: "invalid_field", field: "k"),
        Case(uri: "/v1/recommend", body: #"{"user_id": "U", "k": -3}"#, status: 400, code: "invalid_field", field: "k"),
        Case(uri: "/v1/recommend", body: #"{"user_id": "U", "k": 51}"#, status: 400, code: "invalid_field", field: "k"),
        Case(uri: "/v1/recommend", body: #"{"user_id": "no-such-user"}"#, status: 404, code: "unknown_user", field: "user_id"),
        Case(uri: "/v1/recommend", body: #"{"user_ids": ["U", "no-such-user"]}"#, status: 404, code: "unknown_user", field: "user_ids[1]"),
        Case(uri: "/v1/recommend", body: #"{"user_id": "U", "exclude_items": ["I", "no-such-item"]}"#, status: 404, code: "unknown_item", field: "exclude_items[1]"),
        Case(uri: "/v1/recommend", body: #"{"user_id": "U", "include_items": ["no-such-item"]}"#, status: 404, code: "unknown_item", field: "include_items[0]"),
        Case(uri: "/v1/recommend", body: #"{"history": ["I"]}"#, status: 422, code: "history_unsupported", field: "history"),
        Case(uri: "/v1/similar-items", body: #"{"item_id": "no-such-item"}"#, status: 404, code: "unknown_item", field: "item_id"),
        Case(uri: "/v1/similar-items", body: #"{"item_ids": ["I", "no-such-item"]}"#, status: 404, code: "unknown_item", field: "item_ids[1]"),
        Case(uri: "/v1/similar-items", body: #"{"item_id": "I", "k": 0}"#, status: 400, code: "invalid_field", field: "k"),
        Case(uri: "/v1/similar-items", body: #"{}"#, status: 400, code: "malformed_request", field: "item_id"),
        Case(uri: "/v1/search", body: #"{"k": 3}"#, status: 400, code: "malformed_request", field: "embedding"),
        Case(uri: "/v1/search", body: #"{"embedding": [1, 2, 3]}"#, status: 400, code: "invalid_field", field: "embedding"),
        Case(uri: "/v1/search", body: #"{"embedding": [1, 2, 3, 4, 5, 6, 7, "NaN"]}"#, status: 400, code: "invalid_field", field: "embedding[7]"),
        Case(uri: "/v1/search", body: #"{"embedding": [1, 2, "Infinity", 4, 5, 6, 7, 8]}"#, status: 400, code: "invalid_field", field: "embedding[2]"),
        Case(uri: "/v1/recommend", body: #"{"user_id": "0", "k": 99999999999999999999}"#, status: 400, code: "malformed_request", field: nil),
        Case(uri: "/v1/search", body: #"{"embedding": [1, 2, 3, 4, 5, 6, 7, "x"]}"#, status: 400, code: "malformed_request", field: "embedding[7]"),
        Case(uri: "/v1/search", body: #"{"embedding": [1, 2, 3, 4, 5, 6, 7, 8], "k": 1000}"#, status: 400, code: "invalid_field", field: "k"),
        Case(uri: "/v1/search", body: #"{"embedding": [1, 2, 3, 4, 5, 6, 7, 8], "include_items": ["no-such-item"]}"#, status: 404, code: "unknown_item", field: "include_items[0]"),
        Case(uri: "/v1/no-such-route", body: "{}", status: 404, code: "not_found", field: nil),
        // A misspelt field is an error naming it, not silently ignored.
        Case(uri: "/v1/recommend", body: #"{"user_id": "U", "kk": 3}"#, status: 400, code: "malformed_request", field: "kk"),
        Case(uri: "/v1/similar-items", body: #"{"item_id": "I", "exclude_seen": false}"#, status: 400, code: "malformed_request", field: "exclude_seen"),
        Case(uri: "/v1/search", body: #"{"embeddings": [1, 2, 3, 4, 5, 6, 7, 8]}"#, status: 400, code: "malformed_request", field: "embeddings"),
        // A repeated field is ambiguous (the decoder would keep the first silently): 400 naming it.
        Case(uri: "/v1/recommend", body: #"{"user_id": "U", "k": 1, "k": 3}"#, status: 400, code: "malformed_request", field: "k"),
        Case(uri: "/v1/search", body: #"{"embedding": [1, 2, 3, 4, 5, 6, 7, 8], "embedding": [8, 7, 6, 5, 4, 3, 2, 1]}"#, status: 400, code: "malformed_request", field: "embedding"),
    ]

    /// A known path with another method is 405 with `Allow`; every route answers its own method.
    @Test func aKnownPathWithAnotherMethodIs405() async throws {
        let checker = try OpenAPIChecker.project()
        let fixture = try ServingFixture.get()
        let service = try await makeService(fixture.a)
        try await withRouter(service) { client in
            for (path, method) in RetrievalRouter.methods {
                let other: HTTPRequest.Method = method == "GET" ? .post : .get
                try await client.execute(uri: path, method: other, body: json("{}")) { response in
                    #expect(response.status == .methodNotAllowed, "\(other) \(path)")
                    #expect(response.headers[.allow] == method, "\(path)")
                    let body = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
                    #expect(errorDetail(body).code == "method_not_allowed")
                    // The body is the documented Error schema (docs/openapi.json's description names it).
                    #expect(checker.validate(body, checker.resolve("#/components/schemas/Error"), at: "$").isEmpty)
                }
                try await client.execute(uri: path, method: method == "GET" ? .get : .post, body: json("{}")) { response in
                    #expect(response.status != .notFound && response.status != .methodNotAllowed, "\(method) \(path)")
                }
            }
        }
    }

    @Test(arguments: cases)
    func answersWithTheStatusCodeAndField(_ c: Case) async throws {
        let fixture = try ServingFixture.get()
        let service = try await makeService(fixture.a) { $0.maxK = 50 }
        let model = service.store.current!
        let body = c.body.replacingOccurrences(of: "\"U\"", with: "\"\(model.checkpoint.users.ids[0])\"")
            .replacingOccurrences(of: "\"I\"", with: "\"\(model.checkpoint.items.ids[0])\"")
        try await withRouter(service) { client in
            let (status, json) = try await client.post(c.uri, body)
            #expect(Int(status.code) == c.status, "\(c): \(json)")
            let detail = errorDetail(json)
            #expect(detail.code == c.code, "\(c): \(json)")
            #expect(detail.field == c.field, "\(c): \(json)")
            let message = ((json as? [String: Any])?["error"] as? [String: Any])?["message"] as? String
            #expect(!(message ?? "").isEmpty)
        }
    }

    @Test func aBodyOverTheLimitIs413() async throws {
        let fixture = try ServingFixture.get()
        let service = try await makeService(fixture.a) { $0.maxBodyBytes = 2048 }
        let big = #"{"user_id": "x", "exclude_items": [\#(Array(repeating: "\"123456789\"", count: 400).joined(separator: ","))]}"#
        try await withRouter(service) { client in
            let (status, json) = try await client.post("/v1/recommend", big)
            #expect(status == .contentTooLarge)
            #expect(errorDetail(json).code == "body_too_large")
        }
    }

    @Test func adminRoutesNeedLoopbackOrTheToken() async throws {
        let fixture = try ServingFixture.get()
        let open = try await makeService(fixture.a) { $0.host = "0.0.0.0" }
        try await withRouter(open) { client in
            let (status, json) = try await client.post("/admin/reload", "")
            #expect(status == .forbidden && errorDetail(json).code == "forbidden")
        }
        let guarded = try await makeService(fixture.a) { $0.host = "0.0.0.0"; $0.adminToken = "s3cret" }
        try await withRouter(guarded) { client in
            #expect(try await client.post("/admin/reload", "").0 == .unauthorized)
            #expect(try await client.post("/admin/reload", "", headers: [.authorization: "Bearer wrong"]).0 == .unauthorized)
            let (status, json) = try await client.post("/admin/reload", "", headers: [.authorization: "Bearer s3cret"])
            #expect(status == .ok && (json as? [String: Any])?["model_version"] as? Int == 2)
        }
    }

    @Test func configurationErrorsNameTheFlag() throws {
        var c = ServingConfiguration(modelDirectory: "m")
        c.maxBatch = 0
        #expect(throws: ServingConfigurationError(flag: "--max-batch", expected: "at least 1, found 0")) { try c.validate() }
        c.maxBatch = 4
        c.port = 70000
        #expect((try? c.validate()) == nil)
        c.port = 8080
        for bad in [0, -1, Double.nan, .infinity] {
            c.idleTimeoutSeconds = bad
            #expect(throws: ServingConfigurationError.self) { try c.validate() }
        }
        c.idleTimeoutSeconds = 0.5
        try c.validate()
    }
}
