import Foundation
import HummingbirdTesting
import Testing
@testable import TowerServing

/// `/metrics` renders request counts, latencies, batch sizes and the model version.
@Suite struct MetricsEndpointTests {
    @Test func countsRequestsByRouteAndStatus() async throws {
        let fixture = try ServingFixture.get()
        let service = try await makeService(fixture.a)
        let user = service.store.current!.checkpoint.users.ids[0]
        let text = try await withRouter(service) { client in
            for _ in 0..<3 { _ = try await client.retrieve("/v1/recommend", #"{"user_id": "\#(user)"}"#) }
            _ = try await client.post("/v1/recommend", #"{"user_id": "no-such-user"}"#)
            return try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                return String(buffer: response.body)
            }
        }
        #expect(text.contains(#"twotower_http_requests_total{route="/v1/recommend",method="POST",status="200"} 3"#), "\(text)")
        #expect(text.contains(#"twotower_http_requests_total{route="/v1/recommend",method="POST",status="404"} 1"#))
        #expect(text.contains(#"twotower_http_request_duration_seconds_count{route="/v1/recommend"} 4"#))
        #expect(text.contains("twotower_batch_size_sum 3.0"), "one query per successful request")
        #expect(text.contains("twotower_model_version 1.0"))
        #expect(text.contains(#"twotower_model_reloads_total{result="ok"} 1"#))
    }
}
