import Foundation
import HummingbirdTesting
import Testing
import TowerWorkflows
import TwoTower
@testable import TowerServing

/// `/v1/similar-items`, `/v1/search`, `/healthz`, `/readyz`, `/v1/model`.
@Suite struct ItemEndpointTests {
    @Test func similarItemsRanksByTheItemEmbeddingWithoutTheItem() async throws {
        let fixture = try ServingFixture.get()
        nonisolated(unsafe) let recommender = try Recommender(modelDirectory: fixture.a)
        let service = try await makeService(fixture.a)
        let items = recommender.checkpoint.items.ids
        try await withRouter(service) { client in
            for item in items.prefix(5) {
                let row = try recommender.checkpoint.items.row(for: item)
                let ranking = try fullRanking(recommender, embedding: recommender.index.items.row(Int(row)))
                let expected = ranking.filter { $0.id != item }
                let got = try await client.retrieve("/v1/similar-items", #"{"item_id": "\#(item)", "k": 8}"#)
                expectSameResults(got.results ?? [], Array(expected.prefix(8)), item)
                // With filters: exclude the best neighbour, allow every other item.
                let allowed = expected.enumerated().filter { $0.offset % 2 == 0 }.map(\.element.id)
                let body = String(decoding: try JSONSerialization.data(withJSONObject: [
                    "item_ids": [item], "k": 4, "exclude_items": [allowed[0]], "include_items": allowed + [item]]), as: UTF8.self)
                let filtered = try await client.retrieve("/v1/similar-items", body)
                expectSameResults(filtered.queries?.first?.results ?? [], Array(expected.filter { allowed.dropFirst().contains($0.id) }.prefix(4)), body)
                #expect(filtered.queries?.first?.id == item)
            }
        }
    }

    @Test func searchTakesAnEmbeddingComputedElsewhere() async throws {
        let fixture = try ServingFixture.get()
        nonisolated(unsafe) let recommender = try Recommender(modelDirectory: fixture.a)
        let service = try await makeService(fixture.a)
        let d = recommender.index.dimension
        let embedding = (0..<d).map { Float($0 % 3) - 0.7 }
        let ranking = try fullRanking(recommender, embedding: embedding)
        let embeddingText = embedding.map { "\($0)" }.joined(separator: ",")
        try await withRouter(service) { client in
            let got = try await client.retrieve("/v1/search", #"{"embedding": [\#(embeddingText)], "k": 12}"#)
            expectSameResults(got.results ?? [], Array(ranking.prefix(12)))
            let excluded = ranking.prefix(3).map { "\"\($0.id)\"" }.joined(separator: ",")
            let filtered = try await client.retrieve("/v1/search", #"{"embedding": [\#(embeddingText)], "k": 12, "exclude_items": [\#(excluded)]}"#)
            expectSameResults(filtered.results ?? [], Array(ranking.dropFirst(3).prefix(12)))
        }
    }

    @Test func healthReadinessAndModelInfo() async throws {
        let fixture = try ServingFixture.get()
        let service = try await makeService(fixture.a)
        let model = service.store.current!
        try await withRouter(service) { client in
            let (healthStatus, health) = try await client.getJSON("/healthz")
            #expect(healthStatus == .ok && (health as? [String: Any])?["status"] as? String == "ok")
            let (readyStatus, ready) = try await client.getJSON("/readyz")
            #expect(readyStatus == .ok && (ready as? [String: Any])?["model_version"] as? Int == 1)
            let (infoStatus, info) = try await client.getJSON("/v1/model")
            let object = info as? [String: Any] ?? [:]
            #expect(infoStatus == .ok)
            #expect(object["dimensions"] as? Int == model.dimensions)
            #expect(object["item_count"] as? Int == model.itemCount)
            #expect(object["user_count"] as? Int == model.userCount)
            #expect(object["version"] as? Int == 1)
            #expect((object["configuration"] as? [String: Any])?["itemCount"] as? Int == model.itemCount)
        }
    }

    @Test func withoutAModelTheServiceIsNotReady() async throws {
        let fixture = try ServingFixture.get()
        let service = RetrievalService(configuration: ServingConfiguration(modelDirectory: fixture.a + "-missing"))
        await #expect(throws: (any Error).self) { try await service.loadInitialModel() }
        try await withRouter(service) { client in
            #expect(try await client.getJSON("/healthz").0 == .ok)
            #expect(try await client.getJSON("/readyz").0 == .serviceUnavailable)
            let (status, body) = try await client.post("/v1/recommend", #"{"user_id": "1"}"#)
            #expect(status == .serviceUnavailable && errorDetail(body).code == "no_model")
            #expect(try await client.getJSON("/v1/model").0 == .serviceUnavailable)
        }
    }
}
