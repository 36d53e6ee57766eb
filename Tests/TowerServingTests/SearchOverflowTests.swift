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
        // Every coordinate finite in Float and the norm over the limit (the largest Float when the
        // limit is beyond Float's range).
        let huge = Float(min(10 * limit / Double(d).squareRoot(), Double(Float.greatestFiniteMagnitude)))
        let hugeNorm = Double(huge) * Double(d).squareRoot()
        try #require(huge.isFinite && hugeNorm * model.maxItemNorm > ServingModel.scoreLimit, "the fixture's item norms are too small for this test")
        try await withRouter(service) { client in
            let body = #"{"embedding": [\#(Array(repeating: "\(huge)", count: d).joined(separator: ","))]}"#
            let (status, json) = try await client.post("/v1/search", body)
            #expect(status == .badRequest, "\(json)")
            #expect(errorDetail(json).field == "embedding" && errorDetail(json).code == "invalid_field")
            let message = ((json as? [String: Any])?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("\(limit)") && message.contains("norm"), "\(message)")
            // Just under the limit: answered, every score a finite JSON number.
            let fine = Float(min(0.5 * limit, Double(Float.greatestFiniteMagnitude) / 4) / Double(d).squareRoot())
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
