import Foundation
import HummingbirdTesting
import Testing
import TwoTower
@testable import TowerServing

/// `serve --precision bfloat16:R`: with R large enough that every item is a candidate, every
/// endpoint answers exactly what the float32 service answers (ids and float32 scores); the
/// precision is reported by `/v1/model`.
@Suite struct ScoringPrecisionServingTests {
    @Test func bfloat16WithAllCandidatesAnswersAsFloat32() async throws {
        let fixture = try ServingFixture.get()
        let exact = try await makeService(fixture.a)
        let model = exact.store.current!
        let refine = model.itemCount  // k ≥ 1, so refine · k covers the catalogue
        let approximate = try await makeService(fixture.a) { $0.precision = .bfloat16(refine: refine) }
        let user = model.checkpoint.users.ids[3], item = model.checkpoint.items.ids[5]
        let embedding = model.userEmbeddings.row(7).map { "\($0)" }.joined(separator: ",")
        let calls = [
            ("/v1/recommend", #"{"user_ids": ["\#(user)", "\#(model.checkpoint.users.ids[0])"], "k": 7}"#),
            ("/v1/recommend", #"{"user_id": "\#(user)", "k": 3, "exclude_seen": false, "exclude_items": ["\#(item)"]}"#),
            ("/v1/similar-items", #"{"item_id": "\#(item)", "k": 5}"#),
            ("/v1/search", #"{"embedding": [\#(embedding)], "k": 4}"#),
        ]
        // One router per service: the test application stops the service when it ends.
        let a = try await Self.answers(exact, calls), b = try await Self.answers(approximate, calls)
        for (i, (uri, body)) in calls.enumerated() {
            #expect(a[i].status == 200 && b[i].status == 200, "\(uri) \(body): \(String(decoding: a[i].body, as: UTF8.self))")
            #expect(a[i].body == b[i].body, "\(uri) \(body)")  // same ids, same float32 scores, same order
            #expect(a[i].body.count > 40)
        }
        let fields = try JSONSerialization.jsonObject(with: b.last!.body) as? [String: Any]
        #expect(fields?["scoring_precision"] as? String == "bfloat16:\(refine)")
        #expect((try JSONSerialization.jsonObject(with: a.last!.body) as? [String: Any])?["scoring_precision"] as? String == "float32")
    }

    /// Each call's status and body, then `GET /v1/model`'s.
    static func answers(_ service: RetrievalService, _ calls: [(String, String)]) async throws -> [(status: Int, body: Data)] {
        try await withRouter(service) { client in
            var out: [(status: Int, body: Data)] = []
            for (uri, body) in calls {
                out.append(try await client.execute(uri: uri, method: .post, body: json(body)) { (Int($0.status.code), Data($0.body.readableBytesView)) })
            }
            out.append(try await client.execute(uri: "/v1/model", method: .get) { (Int($0.status.code), Data($0.body.readableBytesView)) })
            return out
        }
    }
}
