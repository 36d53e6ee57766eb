import Foundation
import HummingbirdTesting
import Testing
import TowerWorkflows
import TwoTower
@testable import TowerServing

/// Reloads swap the model atomically: none of a stream of requests is lost, and each response
/// comes entirely from one model version; a failed reload keeps the old model.
@Suite struct ReloadTests {
    /// Copies model directory `source` to `target` (replacing it in two renames).
    static func publish(_ source: String, at target: String) throws {
        let fm = FileManager.default
        let staging = target + ".staging", old = target + ".old"
        try? fm.removeItem(atPath: staging)
        try? fm.removeItem(atPath: old)
        try fm.copyItem(atPath: source, toPath: staging)
        if fm.fileExists(atPath: target) { try fm.moveItem(atPath: target, toPath: old) }
        try fm.moveItem(atPath: staging, toPath: target)
    }

    @Test func aReloadDuringAStreamOfRequestsLosesNone() async throws {
        let fixture = try ServingFixture.get()
        let dir = temporaryServingDirectory("reload")
        defer { removeServingDirectory(dir) }
        try Self.publish(fixture.a, at: dir)
        let expected = try [fixture.a, fixture.b].map { path in
            let r = try Recommender(modelDirectory: path)
            return try r.checkpoint.users.ids.prefix(16).map { try r.recommend(user: $0, k: 5) }
        }
        let users = Array(try Recommender(modelDirectory: fixture.a).checkpoint.users.ids.prefix(16))
        #expect(expected[0] != expected[1], "the two models rank differently")
        let service = try await makeService(dir)
        let responses = try await withRouter(service) { client in
            try await withThrowingTaskGroup(of: [(Int, RetrievalResponse)].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var got: [(Int, RetrievalResponse)] = []
                        for i in 0..<60 {
                            let u = (worker * 60 + i) % users.count
                            got.append((u, try await client.retrieve("/v1/recommend", #"{"user_id": "\#(users[u])", "k": 5}"#)))
                        }
                        return got
                    }
                }
                group.addTask {
                    try Self.publish(fixture.b, at: dir)
                    let (status, body) = try await client.post("/admin/reload", "")
                    #expect(status == .ok, "\(body)")
                    return []
                }
                var all: [(Int, RetrievalResponse)] = []
                for try await part in group { all += part }
                return all
            }
        }
        #expect(responses.count == 240, "no request lost")
        for (u, response) in responses {
            #expect([1, 2].contains(response.modelVersion))
            let want = expected[response.modelVersion - 1][u].map { ItemScore(itemID: $0.item, score: $0.score) }
            #expect(response.results == want, "user \(users[u]) version \(response.modelVersion)")
        }
        #expect(service.store.current?.version == 2)
    }

    @Test func aFailedReloadKeepsTheOldModelAndReportsIt() async throws {
        let fixture = try ServingFixture.get()
        let dir = temporaryServingDirectory("reload-fail")
        defer { removeServingDirectory(dir) }
        try Self.publish(fixture.a, at: dir)
        let service = try await makeService(dir)
        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: dir + "/config.json"))
        try await withRouter(service) { client in
            let (status, body) = try await client.post("/admin/reload", "")
            let object = body as? [String: Any] ?? [:]
            #expect(status == .unprocessableContent)
            #expect(object["reloaded"] as? Bool == false)
            #expect(object["model_version"] as? Int == 1)
            #expect((object["error"] as? String)?.contains("config.json") == true, "\(object)")
            let user = service.store.current!.checkpoint.users.ids[0]
            #expect(try await client.retrieve("/v1/recommend", #"{"user_id": "\#(user)"}"#).modelVersion == 1)
            let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(metrics.contains(#"twotower_model_reloads_total{result="failed"} 1"#))
        }
    }
}

func temporaryServingDirectory(_ name: String) -> String {
    NSTemporaryDirectory() + "twotower-serving-\(name)-\(UUID().uuidString)"
}

func removeServingDirectory(_ dir: String) {
    for path in [dir, dir + ".old", dir + ".staging"] { try? FileManager.default.removeItem(atPath: path) }
}
