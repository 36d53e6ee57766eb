import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TowerData
import TowerTestSupport
import TowerWorkflows
import TwoTower
@testable import TowerServing

/// Small models trained once per test process on synthetic data: `a` and `b` differ in seed (for
/// reload tests).
struct ServingFixture: Sendable {
    let a: String
    let b: String

    static func train(seed: UInt64, to dir: String) throws {
        var run = TrainingRun()
        run.data.synthetic = SyntheticConfiguration(users: 120, items: 90, interactions: 3_000, factors: 6, seed: 5)
        run.model.dimensions = 8
        run.training.epochs = 1
        run.training.batchSize = 128
        run.training.seed = seed
        run.training.patience = nil
        run.evaluation.ks = [10]
        run.output = dir
        _ = try run.run()
    }

    static let shared: Result<ServingFixture, any Error> = Result {
        let root = temporaryDirectory("serving-fixture")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let fixture = ServingFixture(a: root + "/a", b: root + "/b")
        try train(seed: 1, to: fixture.a)
        try train(seed: 2, to: fixture.b)
        return fixture
    }

    static func get() throws -> ServingFixture { try shared.get() }
}

/// A service on `path` with a loaded model.
func makeService(_ path: String, configure: (inout ServingConfiguration) -> Void = { _ in }) async throws -> RetrievalService {
    var configuration = ServingConfiguration(modelDirectory: path)
    configuration.maxWaitMicroseconds = 100
    configuration.threads = 2
    configure(&configuration)
    let service = RetrievalService(configuration: configuration)
    try await service.loadInitialModel()
    return service
}

/// Runs `body` against the router of `service` in process; stops the service after.
func withRouter<T: Sendable>(_ service: RetrievalService,
                             _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
    let app = RetrievalServer.application(service)
    return try await app.test(.router, body)
}

/// Runs `service` on a live loopback server (port 0: a free one) and calls `body` with its port
/// and the service group, which `body` must shut down (`triggerGracefulShutdown()`); returns when
/// the server has stopped.
func withLiveServer(_ service: RetrievalService,
                    _ body: @escaping @Sendable (Int, ServiceGroup) async throws -> Void) async throws {
    let (ports, listening) = AsyncStream.makeStream(of: Int.self)
    let app = RetrievalServer.application(service) { port in listening.yield(port) }
    let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "test")))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        #expect(port > 0)
        try await body(port, group)
        try await tasks.waitForAll()
    }
}

/// JSON body bytes of a literal.
func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

extension TestClientProtocol {
    /// POSTs `body` and returns the status and the decoded JSON object.
    func post(_ uri: String, _ body: String, headers: HTTPFields = [:]) async throws -> (HTTPResponse.Status, Any) {
        try await execute(uri: uri, method: .post, headers: headers, body: json(body)) { response in
            (response.status, try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView), options: [.fragmentsAllowed]))
        }
    }

    func getJSON(_ uri: String) async throws -> (HTTPResponse.Status, Any) {
        try await execute(uri: uri, method: .get) { response in
            (response.status, try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)))
        }
    }

    /// POSTs and decodes a ``RetrievalResponse``, expecting 200.
    func retrieve(_ uri: String, _ body: String) async throws -> RetrievalResponse {
        try await execute(uri: uri, method: .post, body: json(body)) { response in
            #expect(response.status == .ok, "\(uri) \(body): \(String(buffer: response.body))")
            return try JSONDecoder().decode(RetrievalResponse.self, from: Data(response.body.readableBytesView))
        }
    }
}

/// The error object of an error body.
func errorDetail(_ body: Any) -> (code: String?, field: String?) {
    let error = (body as? [String: Any])?["error"] as? [String: Any]
    return (error?["code"] as? String, error?["field"] as? String)
}

/// The full ranking of every item for the query `embedding` (reference, straight from the index).
func fullRanking(_ recommender: Recommender, embedding: [Float]) throws -> [(id: String, score: Float)] {
    let result = try recommender.index.search(
        queries: .init(rows: 1, columns: embedding.count, values: embedding), k: recommender.index.count, threads: 1)
    return zip(result.rows(query: 0), result.scores(query: 0)).map { (recommender.checkpoint.items.id(of: $0.0), $0.1) }
}

/// Expects `got` to be `expected` (ids exactly, scores to 1e-5 relative).
func expectSameResults(_ got: [ItemScore], _ expected: [(id: String, score: Float)], _ note: String = "",
                       sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(got.map(\.itemID) == expected.map(\.id), "\(note)", sourceLocation: sourceLocation)
    for (g, e) in zip(got, expected) {
        #expect(abs(g.score - e.score) <= 1e-5 * max(1, abs(e.score)), "\(note) \(g.itemID)", sourceLocation: sourceLocation)
    }
}
