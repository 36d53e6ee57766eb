import ArgumentParser
import Foundation
import TowerCore
import TowerFormats
import TowerWorkflows
import TwoTower

/// `twotower-bench topk`: exact top-k throughput of ``BruteForceIndex`` and the time of a
/// per-user full-corpus evaluation, single-threaded and with 2 threads.
struct TopKBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topk",
        abstract: "Exact top-k over random items (queries/s) and per-user evaluation time.")

    @Flag(help: "One JSON object per line: case, threads, queries_per_second, seconds.")
    var json = false
    @Option(help: "Queries for the top-k case.") var queries = 10_000
    @Option(help: "Items in the index for the top-k case.") var items = 1_000_000
    @Option(help: "Embedding dimension.") var dim = 64
    @Option(help: "k of the top-k case.") var k = 100
    @Option(help: "Users of the evaluation case.") var evalUsers = 50_000
    @Option(help: "Items of the evaluation case.") var evalItems = 20_000
    @Option(help: "Thread counts to run, comma separated.") var threads = "1,2"
    @Option(help: ArgumentHelp("Also run the top-k case at these scoring precisions (comma separated: float32, bfloat16, bfloat16:R), reporting queries/s and the recall of their top k against float32's.", valueName: "list"))
    var precision: String?
    @Option(help: ArgumentHelp("Also run the top-k case as a server does: search calls of this many queries (a dynamic batch), one batch at a time on all threads, and one batch per thread at once.", valueName: "queries"))
    var batch: Int?

    func validate() throws {
        for (flag, value) in [("--queries", queries), ("--items", items), ("--dim", dim), ("--k", k),
                              ("--eval-users", evalUsers), ("--eval-items", evalItems), ("--batch", batch ?? 1)] where value < 1 {
            throw ValidationError("\(flag) must be positive, found \(value)")
        }
    }

    func run() throws {
        let threadCounts = threads.split(separator: ",").compactMap { Int($0) }
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--threads: expected a comma-separated list of positive integers, found \"\(threads)\"")
        }
        let itemMatrix = Self.random(rows: items, columns: dim, seed: 1)
        let queryMatrix = Self.random(rows: queries, columns: dim, seed: 2)
        let index = try BruteForceIndex(items: itemMatrix)
        let caseName = "top\(k)_\(queries)x\(items)_d\(dim)"
        for t in threadCounts {
            let start = Date()
            let result = try index.search(queries: queryMatrix, k: k, threads: t)
            let seconds = Date().timeIntervalSince(start)
            precondition(result.counts.allSatisfy { $0 == min(k, items) })
            report(caseName, t, Double(queries) / seconds, seconds)
        }
        if let precision {
            try runPrecisions(precision, itemMatrix: itemMatrix, queryMatrix: queryMatrix, exact: index, threadCounts: threadCounts)
        }
        if let batch {
            try runBatches(index: index, queryMatrix: queryMatrix, batch: batch, threadCounts: threadCounts)
        }

        // Per-user evaluation: 5 held-out items and 20 excluded training items per user.
        var rng = Xoshiro256(seed: 3)
        var held: [[Int32]] = [], excluded: [[Int32]] = []
        held.reserveCapacity(evalUsers); excluded.reserveCapacity(evalUsers)
        for _ in 0..<evalUsers {
            held.append((0..<5).map { _ in Int32.random(in: 0..<Int32(evalItems), using: &rng) })
            excluded.append((0..<20).map { _ in Int32.random(in: 0..<Int32(evalItems), using: &rng) })
        }
        let heldOut = IndexLists(held), excl = IndexLists(excluded)
        let users = Self.random(rows: evalUsers, columns: dim, seed: 4)
        let catalogue = Self.random(rows: evalItems, columns: dim, seed: 5)
        let counts = (0..<evalItems).map { _ in Int.random(in: 0..<1000, using: &rng) }
        for t in threadCounts {
            let start = Date()
            _ = try Evaluation.perUser(queries: users, items: catalogue, heldOut: heldOut, excluded: excl,
                                       ks: [10, 20, 50], itemCounts: counts, threads: t)
            let seconds = Date().timeIntervalSince(start)
            report("evaluate_per_user_\(evalUsers)x\(evalItems)_d\(dim)_k10,20,50", t, Double(evalUsers) / seconds, seconds)
        }
    }

    /// The top-k case at each precision of `list`: queries/s, and recall@k against the float32
    /// index's top k (the share of its items that the other precision also returns).
    private func runPrecisions(_ list: String, itemMatrix: Matrix, queryMatrix: Matrix, exact: BruteForceIndex,
                               threadCounts: [Int]) throws {
        let reference = try exact.search(queries: queryMatrix, k: k, threads: threadCounts.max())
        for text in list.split(separator: ",").map(String.init) {
            let precision = try ScoringPrecision(parsing: text)
            let index = try BruteForceIndex(items: itemMatrix, precision: precision)
            for t in threadCounts {
                let start = Date()
                let result = try index.search(queries: queryMatrix, k: k, threads: t)
                let seconds = Date().timeIntervalSince(start)
                var hits = 0
                for q in 0..<queries {
                    let truth = Set(reference.rows(query: q))
                    hits += result.rows(query: q).filter { truth.contains($0) }.count
                }
                let recall = Double(hits) / Double(reference.counts.reduce(0, +))
                report("top\(k)_\(precision)_\(queries)x\(items)_d\(dim) recall \(String(format: "%.4f", recall))", t,
                       Double(queries) / seconds, seconds)
            }
        }
    }

    /// The top-k case cut into search calls of `batch` queries: on `t` threads one batch at a
    /// time (the threads share each batch), and `t` batches at once (one thread each).
    private func runBatches(index: BruteForceIndex, queryMatrix: Matrix, batch: Int, threadCounts: [Int]) throws {
        let batches = (queries + batch - 1) / batch
        let slices = (0..<batches).map { b in
            queryMatrix.rows(b * batch ..< Swift.min(queries, (b + 1) * batch)).copy()
        }
        for t in threadCounts {
            var start = Date()
            for slice in slices { _ = try index.search(queries: slice, k: k, threads: t) }
            var seconds = Date().timeIntervalSince(start)
            report("top\(k)_batch\(batch)_shared_x\(items)_d\(dim)", t, Double(queries) / seconds, seconds)
            start = Date()
            parallelFor(chunks: t, threads: t) { worker in
                var b = worker
                while b < batches { _ = try? index.search(queries: slices[b], k: k, threads: 1); b += t }
            }
            seconds = Date().timeIntervalSince(start)
            report("top\(k)_batch\(batch)_per_thread_x\(items)_d\(dim)", t, Double(queries) / seconds, seconds)
        }
    }

    private func report(_ name: String, _ threads: Int, _ qps: Double, _ seconds: Double) {
        if json {
            print("{\"case\": \"\(name)\", \"threads\": \(threads), \"queries_per_second\": \(String(format: "%.1f", qps)), \"seconds\": \(String(format: "%.3f", seconds))}")
        } else {
            print("\(name.padding(toLength: 48, withPad: " ", startingAt: 0)) threads \(threads)  \(String(format: "%12.1f", qps)) queries/s  \(String(format: "%8.3f", seconds)) s")
        }
    }

    static func random(rows: Int, columns: Int, seed: UInt64) -> Matrix {
        var rng = Xoshiro256(seed: seed)
        var m = Matrix(rows: rows, columns: columns)
        m.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = Float(rng.next() >> 40) * 0x1p-24 * 2 - 1 }
        }
        return m
    }
}
