import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Testing
@testable import TowerServing

/// Graceful shutdown on a live loopback server: the request in flight is answered, then the
/// server stops and its run returns without error.
@Suite struct ShutdownTests {
    @Test func gracefulShutdownFinishesTheRequestInFlight() async throws {
        let fixture = try ServingFixture.get()
        // One query waits up to 2 s for others to batch with: it is in flight while shutdown starts.
        let service = try await makeService(fixture.a) { $0.port = 0; $0.maxWaitMicroseconds = 2_000_000; $0.waitsWhenIdle = true }
        let user = service.store.current!.checkpoint.users.ids[0]
        try await withLiveServer(service) { port, group in
            let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                async let answer = client.post("/v1/recommend", body: ByteBuffer(string: #"{"user_id": "\#(user)", "k": 3}"#))
                while service.batcher.waiting == 0 { try await Task.sleep(for: .milliseconds(2)) }
                await group.triggerGracefulShutdown()
                return try await answer
            }
            #expect(response.status == .ok)
            let decoded = try JSONDecoder().decode(RetrievalResponse.self, from: Data(try #require(response.body).readableBytesView))
            #expect(decoded.results?.count == 3)
        }
        // The scoring threads have stopped with the application.
        await #expect(throws: ServingError.shuttingDown) {
            _ = try await service.batcher.rank([RetrievalQuery(embedding: service.store.current!.userEmbeddings.row(0), k: 1, excluded: [])],
                                               on: service.store.current!)
        }
    }
}
