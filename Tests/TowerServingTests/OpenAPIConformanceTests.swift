import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TowerServing

/// Responses of every endpoint, success and error, conform to docs/openapi.json.
@Suite struct OpenAPIConformanceTests {
    @Test func responsesMatchTheDocumentedSchemas() async throws {
        let checker = try OpenAPIChecker.project()
        let fixture = try ServingFixture.get()
        let service = try await makeService(fixture.a)
        let model = service.store.current!
        let user = model.checkpoint.users.ids[0], item = model.checkpoint.items.ids[0]
        let embedding = Array(repeating: "0.5", count: model.dimensions).joined(separator: ",")
        let calls: [(method: String, path: String, body: String?)] = [
            ("GET", "/healthz", nil), ("GET", "/readyz", nil), ("GET", "/v1/model", nil),
            ("POST", "/v1/recommend", #"{"user_id": "\#(user)", "k": 3}"#),
            ("POST", "/v1/recommend", #"{"user_ids": ["\#(user)"], "include_items": ["\#(item)"]}"#),
            ("POST", "/v1/recommend", #"{"user_id": "no-such-user"}"#),
            ("POST", "/v1/recommend", #"{"user_id": "\#(user)", "k": 0}"#),
            ("POST", "/v1/recommend", #"{"history": []}"#),
            ("POST", "/v1/similar-items", #"{"item_id": "\#(item)"}"#),
            ("POST", "/v1/similar-items", #"{"item_ids": ["\#(item)"], "exclude_items": ["\#(item)"]}"#),
            ("POST", "/v1/similar-items", #"{"item_id": 3}"#),
            ("POST", "/v1/search", #"{"embedding": [\#(embedding)], "k": 2}"#),
            ("POST", "/v1/search", #"{"embedding": [1]}"#),
            ("POST", "/admin/reload", nil),
        ]
        try await withRouter(service) { client in
            for call in calls {
                let method: HTTPRequest.Method = call.method == "GET" ? .get : .post
                try await client.execute(uri: call.path, method: method, body: call.body.map { ByteBuffer(string: $0) }) { response in
                    let body = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
                    let problems = checker.check(path: call.path, method: call.method, status: Int(response.status.code), body: body)
                    #expect(problems.isEmpty, "\(call.method) \(call.path) \(call.body ?? ""): \(problems)")
                }
            }
        }
    }

    @Test func theCheckerRejectsNonConformingBodies() throws {
        let checker = try OpenAPIChecker.project()
        #expect(!checker.check(path: "/v1/recommend", method: "POST", status: 200, body: ["results": []]).isEmpty)
        #expect(!checker.check(path: "/v1/recommend", method: "POST", status: 200,
                               body: ["model_version": 1, "results": [["item_id": 3, "score": 1.0]]]).isEmpty)
        #expect(!checker.check(path: "/v1/recommend", method: "POST", status: 418, body: [:]).isEmpty)
        #expect(checker.check(path: "/v1/recommend", method: "POST", status: 200,
                              body: ["model_version": 1, "results": [["item_id": "3", "score": 1.5]]]).isEmpty)
    }
}
