import Foundation
import Testing
import TowerTestSupport
@testable import TowerServing

/// Dynamic batching answers every query exactly as ranking it alone would.
@Suite struct BatchingTests {
    /// Queries with different k and exclusion lists, from users and from random embeddings.
    static func queries(_ model: ServingModel, count: Int) -> [RetrievalQuery] {
        let random = randomMatrix(rows: count, columns: model.dimensions, seed: 11)
        return (0..<count).map { i in
            let embedding = i % 2 == 0 ? model.userEmbeddings.row(i % model.userCount) : random.row(i)
            let excluded = i % 3 == 0 ? Array(model.checkpoint.trainItemsByUser[i % model.userCount]) : (i % 3 == 1 ? [Int32(i % model.itemCount)] : [])
            return RetrievalQuery(embedding: embedding, k: 1 + (i * 7) % 40, excluded: excluded.sorted())
        }
    }

    @Test func oneMatrixProductEqualsRankingEachQueryAlone() throws {
        let model = try ServingModel(modelDirectory: try ServingFixture.get().a, version: 1)
        let queries = Self.queries(model, count: 37)
        let batched = try model.rank(queries)
        for (i, q) in queries.enumerated() {
            let alone = try model.rank([q])[0]
            #expect(batched[i] == alone, "query \(i)")
            #expect(batched[i].rows.count == min(q.k, model.itemCount - q.excluded.count))
            #expect(Set(batched[i].rows).isDisjoint(with: q.excluded))
        }
    }

    @Test(arguments: [1, 8, 64])
    func concurrentRequestsThroughTheBatcherEqualUnbatchedRanking(maxBatch: Int) async throws {
        let model = try ServingModel(modelDirectory: try ServingFixture.get().a, version: 1)
        let sizes = SizeLog()
        let batcher = QueryBatcher(maxBatch: maxBatch, maxWait: 0.002, workers: 2, onBatch: { sizes.add($0) })
        defer { batcher.stop() }
        let queries = Self.queries(model, count: 120)
        let results = try await withThrowingTaskGroup(of: (Int, RankedItems).self) { group in
            for (i, q) in queries.enumerated() {
                group.addTask { (i, try await batcher.rank([q], on: model)[0]) }
            }
            var out = [RankedItems?](repeating: nil, count: queries.count)
            for try await (i, r) in group { out[i] = r }
            return out
        }
        for (i, q) in queries.enumerated() {
            #expect(results[i] == (try model.rank([q])[0]), "query \(i)")
        }
        #expect(sizes.total == queries.count, "every query scored exactly once")
        #expect(sizes.largest <= maxBatch)
    }

    @Test func aStoppedBatcherRefusesNewQueries() async throws {
        let model = try ServingModel(modelDirectory: try ServingFixture.get().a, version: 1)
        let batcher = QueryBatcher(maxBatch: 4, maxWait: 0, workers: 1)
        batcher.stop()
        await #expect(throws: ServingError.shuttingDown) {
            _ = try await batcher.rank(Self.queries(model, count: 1), on: model)
        }
    }
}

/// Thread-safe record of batch sizes.
final class SizeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var sizes: [Int] = []
    func add(_ n: Int) { lock.withLock { sizes.append(n) } }
    var total: Int { lock.withLock { sizes.reduce(0, +) } }
    var largest: Int { lock.withLock { sizes.max() ?? 0 } }
}

/// An idle batcher ranks a lone query at once instead of waiting `maxWait` for company.
@Suite struct IdleBatcherTests {
    @Test(.timeLimit(.minutes(1)))
    func aLoneQueryOnAnIdleBatcherDoesNotWaitForABatch() async throws {
        let model = try ServingModel(modelDirectory: try ServingFixture.get().a, version: 1)
        // maxWait of two minutes: a batcher that waited would exceed the time limit.
        let batcher = QueryBatcher(maxBatch: 64, maxWait: 120, workers: 2)
        defer { batcher.stop() }
        let query = BatchingTests.queries(model, count: 1)
        for _ in 0..<3 {
            let result = try await batcher.rank(query, on: model)
            #expect(result == (try model.rank(query)))
        }
    }
}
