import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
@testable import TowerServing

/// `POST /v1/search` with huge finite values: scores would overflow Float, so the request is a
/// 400 naming `embedding` with the limit; no endpoint ever writes a non-finite JSON number.
@Suite struct SearchOverflowTests {
    @Test func maxItemNormIsTheLargestRowNorm() throws {
        let fixture = try ServingFixture.get()
        let model = try ServingModel(modelDirectory: fixture.a, version: 1)
        var expected = 0.0
        for r in 0..<model.itemCount {
            expected = max(expected, model.index.items.row(r).map { Double($0) * Double($0) }.reduce(0, +).squareRoot())
        }
        #expect(expected > 0 && abs(model.maxItemNorm - expected) <= 1e-12 * expected)
    }

    @Test func aQueryWhoseScoresWouldOverflowIsA400WithTheLimit() async throws {
        let fixture = try ServingFixture.get()
        let service = try await makeService(fixture.a)
        let model = service.store.current!
        let d = model.dimensions
        let limit = ServingModel.scoreLimit / model.maxItemNorm
        // Every coordinate finite in Float, the norm 10× the limit — when Float reaches that far;
        // with small item norms no finite query can overflow, and the largest one is answered.
        let wanted = 10 * limit / Double(d).squareRoot()
        guard wanted < Double(Float.greatestFiniteMagnitude) else {
            let largest = Float.greatestFiniteMagnitude / 2  // its shortest decimal form still parses as a Float
            try await withRouter(service) { client in
                let body = #"{"embedding": [\#(Array(repeating: "\(largest)", count: d).joined(separator: ","))], "k": 3}"#
                let (status, json) = try await client.post("/v1/search", body)
                #expect(status == .ok, "\(json)")
                let results = ((json as? [String: Any])?["results"] as? [[String: Any]]) ?? []
                #expect(results.count == 3 && results.allSatisfy { ($0["score"] as? Double)?.isFinite == true }, "\(json)")
            }
            return
        }
        let huge = Float(wanted)
        #expect(huge.isFinite)
        try await withRouter(service) { client in
            let body = #"{"embedding": [\#(Array(repeating: "\(huge)", count: d).joined(separator: ","))]}"#
            let (status, json) = try await client.post("/v1/search", body)
            #expect(status == .badRequest, "\(json)")
            #expect(errorDetail(json).field == "embedding" && errorDetail(json).code == "invalid_field")
            let message = ((json as? [String: Any])?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains(ServingModel.describe(limit)), "\(message)")
            // Just under the limit: answered, every score a finite JSON number.
            let fine = Float(0.5 * limit / Double(d).squareRoot())
            let ok = #"{"embedding": [\#(Array(repeating: "\(fine)", count: d).joined(separator: ","))], "k": 5}"#
            let (okStatus, okJSON) = try await client.post("/v1/search", ok)
            #expect(okStatus == .ok, "\(okJSON)")
            let results = ((okJSON as? [String: Any])?["results"] as? [[String: Any]]) ?? []
            #expect(results.count == 5)
            #expect(results.allSatisfy { ($0["score"] as? Double)?.isFinite == true }, "\(okJSON)")
        }
    }

    @Test func nonFiniteNumbersAreNeverEncoded() throws {
        let response = JSONResponse.make(status: .ok, ["score": Float.infinity])
        #expect(response.status == .internalServerError)
        #expect(JSONResponse.make(status: .ok, ["score": Float(1)]).status == .ok)
    }

    @Test func idsAreLookedUpUnderTheIdRule() async throws {
        let fixture = try ServingFixture.get()
        let service = try await makeService(fixture.a)
        let user = service.store.current!.checkpoint.users.ids[0]
        try await withRouter(service) { client in
            let (status, json) = try await client.post("/v1/recommend", #"{"user_id": " \#(user)\t", "k": 2}"#)
            #expect(status == .ok, "\(json)")
            let (bad, badJSON) = try await client.post("/v1/recommend", #"{"user_id": "   "}"#)
            #expect(bad == .notFound && errorDetail(badJSON).field == "user_id")
        }
    }
}
