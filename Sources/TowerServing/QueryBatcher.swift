import Foundation

/// Dynamic batching: while a batch is being ranked, queries that arrive are collected for up to
/// `maxWait` or until `maxBatch` are waiting, then ranked as one matrix product against the item
/// matrix (``ServingModel/rank(_:threads:)``) and answered individually. On an idle batcher a
/// query is ranked at once (nothing else is coming soon enough to be worth its wait) with every
/// worker's thread, splitting the items between them; `waitsWhenIdle` makes it wait `maxWait`
/// for company anyway (Triton's and TF Serving's batchers always wait).
///
/// A pool of `workers` threads (not the Swift concurrency pool, so the scan never blocks request
/// handling) takes batches from one queue. A batch holds queries of one model version only, so a
/// reload never mixes versions; queries of an older version are answered on it. With
/// `maxBatch == 1` every query is ranked alone (batching off), through the same code.
public final class QueryBatcher: @unchecked Sendable {
    /// Largest batch.
    public let maxBatch: Int
    /// Longest time the first query of a batch waits for others, seconds.
    public let maxWait: TimeInterval
    /// Whether the first query on an idle batcher waits `maxWait` for others.
    public let waitsWhenIdle: Bool
    /// Scoring threads.
    public let workers: Int
    /// Called with each batch's size (metrics).
    let onBatch: @Sendable (Int) -> Void

    private struct Job {
        let model: ServingModel
        let query: RetrievalQuery
        let arrival: Date
        let done: CheckedContinuation<Result<RankedItems, any Error>, Never>
    }

    private let condition = NSCondition()
    private var pending: [Job] = []   // guarded by condition
    private var stopping = false      // guarded by condition
    private var ranking = 0           // batches being ranked; guarded by condition
    private let finished = DispatchGroup()

    /// Starts `workers` threads. - Precondition: `maxBatch ≥ 1`, `maxWait ≥ 0`, `workers ≥ 1`.
    public init(maxBatch: Int, maxWait: TimeInterval, workers: Int, waitsWhenIdle: Bool = false,
                onBatch: @escaping @Sendable (Int) -> Void = { _ in }) {
        precondition(maxBatch >= 1 && maxWait >= 0 && workers >= 1, "QueryBatcher: maxBatch and workers must be ≥ 1, maxWait ≥ 0")
        self.maxBatch = maxBatch
        self.maxWait = maxWait
        self.waitsWhenIdle = waitsWhenIdle
        self.workers = workers
        self.onBatch = onBatch
        for i in 0..<workers {
            finished.enter()
            let thread = Thread { [self] in work(); finished.leave() }
            thread.name = "twotower-scoring-\(i)"
            thread.start()
        }
    }

    /// Ranks `queries` on `model`, batched with whatever else is waiting; results in order.
    /// - Throws: ``ServingError/shuttingDown`` after ``stop()``.
    public func rank(_ queries: [RetrievalQuery], on model: ServingModel) async throws -> [RankedItems] {
        let results = await withTaskGroup(of: (Int, Result<RankedItems, any Error>).self) { group in
            for (i, q) in queries.enumerated() {
                group.addTask { (i, await self.submit(q, on: model)) }
            }
            var out = [Result<RankedItems, any Error>?](repeating: nil, count: queries.count)
            for await (i, r) in group { out[i] = r }
            return out
        }
        return try results.map { try $0!.get() }
    }

    private func submit(_ query: RetrievalQuery, on model: ServingModel) async -> Result<RankedItems, any Error> {
        await withCheckedContinuation { done in
            condition.lock()
            if stopping {
                condition.unlock()
                done.resume(returning: .failure(ServingError.shuttingDown))
                return
            }
            pending.append(Job(model: model, query: query, arrival: Date(), done: done))
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Queries waiting for a batch (for tests and diagnostics).
    var waiting: Int { condition.withLock { pending.count } }

    /// Stops taking queries, answers those waiting, and returns when every worker has exited.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        finished.wait()
    }

    private func work() {
        condition.lock()
        while true {
            while pending.isEmpty && !stopping { condition.wait() }
            if pending.isEmpty { break }
            // Wait for company only while another batch is ranking (or when told to always wait);
            // stop waiting as soon as the other batch is done.
            let deadline = pending[0].arrival.addingTimeInterval(maxWait)
            while pending.count < maxBatch && !stopping && !pending.isEmpty && (ranking > 0 || waitsWhenIdle)
                    && Date() < deadline {
                _ = condition.wait(until: deadline)
            }
            if pending.isEmpty { continue }
            let batch = takeBatch()
            // Alone, a batch may use the idle workers' cores too.
            let threads = ranking == 0 && pending.isEmpty ? workers : 1
            ranking += 1
            condition.unlock()
            run(batch, threads: threads)
            condition.lock()
            ranking -= 1
            condition.broadcast()
        }
        condition.unlock()
    }

    /// Up to `maxBatch` waiting jobs of the oldest job's model, in arrival order. Lock held.
    private func takeBatch() -> [Job] {
        let model = pending[0].model
        var batch: [Job] = [], rest: [Job] = []
        for job in pending {
            if batch.count < maxBatch && job.model === model { batch.append(job) } else { rest.append(job) }
        }
        pending = rest
        return batch
    }

    private func run(_ batch: [Job], threads: Int) {
        onBatch(batch.count)
        do {
            let ranked = try batch[0].model.rank(batch.map(\.query), threads: threads)
            for (job, r) in zip(batch, ranked) { job.done.resume(returning: .success(r)) }
        } catch {
            for job in batch { job.done.resume(returning: .failure(error)) }
        }
    }
}
