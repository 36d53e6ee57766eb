import Foundation
import HummingbirdTesting
import Testing
import TowerWorkflows
import TwoTower
@testable import TowerServing

/// `/v1/recommend` answers what `twotower recommend` (``Recommender``) prints, and its filters
/// apply before selection.
@Suite struct RecommendEndpointTests {
    @Test func equalsRecommenderForTheSameModel() async throws {
        let fixture = try ServingFixture.get()
        nonisolated(unsafe) let recommender = try Recommender(modelDirectory: fixture.a)
        let users = Array(recommender.checkpoint.users.ids.prefix(12))
        let service = try await makeService(fixture.a)
        try await withRouter(service) { client in
            for user in users {
                for (k, includeSeen) in [(1, false), (7, false), (25, true), (1000, false)] {
                    let expected = try recommender.recommend(user: user, k: k, includeSeen: includeSeen)
                    let got = try await client.retrieve("/v1/recommend", #"{"user_id": "\#(user)", "k": \#(k), "exclude_seen": \#(!includeSeen)}"#)
                    #expect(got.results == expected.map { ItemScore(itemID: $0.item, score: $0.score) }, "user \(user) k \(k)")
                    #expect(got.modelVersion == 1)
                }
            }
            // user_ids answers each user as user_id does, in request order.
            let many = try await client.retrieve("/v1/recommend", #"{"user_ids": ["\#(users[3])", "\#(users[0])"], "k": 5}"#)
            #expect(many.queries?.map(\.id) == [users[3], users[0]])
            for q in many.queries ?? [] {
                let one = try recommender.recommend(user: q.id, k: 5)
                #expect(q.results == one.map { ItemScore(itemID: $0.item, score: $0.score) })
            }
        }
    }

    @Test(arguments: [
        (excludeSeen: true, exclude: true, include: false),
        (excludeSeen: false, exclude: true, include: false),
        (excludeSeen: true, exclude: false, include: true),
        (excludeSeen: false, exclude: false, include: true),
        (excludeSeen: true, exclude: true, include: true),
        (excludeSeen: false, exclude: true, include: true),
    ])
    func filtersApplyBeforeSelection(excludeSeen: Bool, exclude: Bool, include: Bool) async throws {
        let fixture = try ServingFixture.get()
        nonisolated(unsafe) let recommender = try Recommender(modelDirectory: fixture.a)
        let service = try await makeService(fixture.a)
        let user = recommender.checkpoint.users.ids[4]
        let row = try recommender.checkpoint.users.row(for: user)
        let seen = Set(recommender.checkpoint.trainItemsByUser[Int(row)].map { recommender.checkpoint.items.id(of: $0) })
        let embedding = service.store.current!.userEmbeddings.row(Int(row))
        let ranking = try fullRanking(recommender, embedding: embedding)
        // Exclude the user's 6 best items (so a post-filter would return fewer than k); allow a
        // spread of items that includes some seen and some excluded ones.
        let excluded = exclude ? ranking.filter { !excludeSeen || !seen.contains($0.id) }.prefix(6).map(\.id) : []
        let allowed = include ? ranking.enumerated().filter { $0.offset % 3 == 0 }.map(\.element.id) : nil
        let k = 10
        let expected = ranking.filter { item in
            (!excludeSeen || !seen.contains(item.id)) && !excluded.contains(item.id) && (allowed?.contains(item.id) ?? true)
        }.prefix(k)
        var body: [String: Any] = ["user_id": user, "k": k, "exclude_seen": excludeSeen]
        if exclude { body["exclude_items"] = excluded }
        if let allowed { body["include_items"] = Array(allowed.reversed()) }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        try await withRouter(service) { client in
            let got = try await client.retrieve("/v1/recommend", text)
            #expect(got.results?.count == k, "k results whenever k eligible items exist")
            expectSameResults(got.results ?? [], Array(expected), text)
        }
    }

    @Test func anEmptyAllowListOrAllExcludedGivesNoResults() async throws {
        let fixture = try ServingFixture.get()
        let service = try await makeService(fixture.a)
        let items = service.store.current!.checkpoint.items.ids
        let user = service.store.current!.checkpoint.users.ids[0]
        try await withRouter(service) { client in
            let none = try await client.retrieve("/v1/recommend", #"{"user_id": "\#(user)", "include_items": []}"#)
            #expect(none.results == [])
            let all = String(decoding: try JSONSerialization.data(withJSONObject: ["user_id": user, "exclude_items": items, "exclude_seen": false]), as: UTF8.self)
            #expect(try await client.retrieve("/v1/recommend", all).results == [])
        }
    }
}
