import Dispatch
import Foundation
import TowerCore

/// Exact maximum-inner-product search over a fixed set of item embeddings.
///
/// Scores are dot products `query · item`. A search computes the scores of a block of queries
/// against a block of items with ``gemm`` (default blocks of 256 queries × 2048 items, 2 MiB of
/// scores, which stays in L2), feeds each row to a per-query ``TopKSelector`` and merges across
/// item blocks; query blocks are spread over threads. Order: higher score first, ties to the lower
/// item row, NaN scores last (``TopKOrder``).
///
/// **k larger than the catalogue is clamped**: the result has `min(k, items)` columns, and a
/// query whose exclusion list leaves fewer items gets fewer valid entries (``TopKResult/counts``).
public struct BruteForceIndex: Sendable {
    /// Item embeddings, `[items, dimension]`.
    public let items: Matrix
    /// External id of each item row, `[items]` (default `0..<items`).
    public let ids: [Int64]
    /// Number of indexed items.
    public var count: Int { items.rows }
    /// Embedding dimension.
    public var dimension: Int { items.columns }

    /// Queries per block (tuning; results do not depend on it).
    public var queryBlock = 256
    /// Items per block (tuning; results do not depend on it).
    public var itemBlock = 2048

    /// An index over `items` (`[items, d]`), with external `ids` (`[items]`, unique) or the rows
    /// `0..<items` as ids.
    /// - Throws: ``RetrievalError/emptyIndex`` for zero items,
    ///   ``RetrievalError/countMismatch(what:expected:found:)`` when `ids` has the wrong length,
    ///   ``RetrievalError/duplicateID(_:)`` for repeated ids.
    public init(items: Matrix, ids: [Int64]? = nil) throws {
        guard items.rows > 0 else { throw RetrievalError.emptyIndex }
        if let ids {
            guard ids.count == items.rows else {
                throw RetrievalError.countMismatch(what: "BruteForceIndex ids", expected: items.rows, found: ids.count)
            }
            var seen = Set<Int64>(minimumCapacity: ids.count)
            for id in ids where !seen.insert(id).inserted { throw RetrievalError.duplicateID(id) }
            self.ids = ids
        } else {
            self.ids = (0..<Int64(items.rows)).map { $0 }
        }
        self.items = items
    }

    /// The top `min(k, items)` items of every query row of `queries` (`[q, d]`).
    /// - Parameters:
    ///   - excluding: per-query item rows never returned (e.g. items seen in training), one list
    ///     per query; `nil` for none.
    ///   - threads: worker threads over query blocks; `nil` uses up to 2 (the machine's cores)
    ///     when the problem is large enough.
    /// - Throws: ``RetrievalError/invalidK(_:)`` for `k < 1`,
    ///   ``RetrievalError/dimensionMismatch(what:expected:found:)``, and count/range errors for
    ///   the exclusion lists.
    public func search(queries: Matrix, k: Int, excluding: IndexLists? = nil,
                       threads: Int? = nil) throws -> TopKResult {
        guard k >= 1 else { throw RetrievalError.invalidK(k) }
        guard queries.columns == dimension else {
            throw RetrievalError.dimensionMismatch(what: "BruteForceIndex.search queries", expected: dimension, found: queries.columns)
        }
        if let excluding {
            guard excluding.count == queries.rows else {
                throw RetrievalError.countMismatch(what: "BruteForceIndex.search exclusion lists", expected: queries.rows, found: excluding.count)
            }
            if let bad = excluding.firstOutOfRange(limit: count) {
                throw RetrievalError.itemOutOfRange(what: "exclusion", list: bad.list, item: bad.value, items: count)
            }
        }
        let kk = Swift.min(k, count)
        let q = queries.rows
        var rows = [Int32](repeating: -1, count: q * kk)
        var scores = [Float](repeating: -.infinity, count: q * kk)
        var counts = [Int](repeating: 0, count: q)
        rows.withUnsafeMutableBufferPointer { r in
            scores.withUnsafeMutableBufferPointer { s in
                counts.withUnsafeMutableBufferPointer { c in
                    selectRows(queries: queries, k: kk, excluding: excluding, threads: threads,
                               out: TopKOutput(rows: r.baseAddress, scores: s.baseAddress, counts: c.baseAddress))
                }
            }
        }
        var outIDs = [Int64](repeating: -1, count: q * kk)
        for i in 0..<(q * kk) where rows[i] >= 0 { outIDs[i] = ids[Int(rows[i])] }
        return TopKResult(queries: q, k: kk, ids: outIDs, rows: rows, scores: scores, counts: counts)
    }

    /// ``search(queries:k:excluding:threads:)`` with exclusion lists as nested arrays.
    public func search(queries: Matrix, k: Int, excluding: [[Int32]], threads: Int? = nil) throws -> TopKResult {
        try search(queries: queries, k: k, excluding: IndexLists(excluding), threads: threads)
    }

    /// Threads to use for `work` multiply-adds when the caller passes `nil`.
    static func defaultThreads(work: Int) -> Int {
        work >= 1 << 24 ? Swift.max(1, Swift.min(2, ProcessInfo.processInfo.activeProcessorCount)) : 1
    }

    /// Core of ``search``: validated inputs, `k <= count`; writes `[q, k]` rows and scores and
    /// `[q]` counts through `out`.
    func selectRows(queries: Matrix, k: Int, excluding: IndexLists?, threads: Int?, out: TopKOutput) {
        let q = queries.rows, n = count, d = dimension
        guard q > 0 else { return }
        let workers = Swift.max(1, threads ?? Self.defaultThreads(work: q * n * d))
        let qb = Swift.max(1, Swift.min(queryBlock, (q + workers - 1) / workers))
        let ib = Swift.max(1, Swift.min(itemBlock, n))
        let blocks = (q + qb - 1) / qb
        let workerCount = Swift.min(workers, blocks)
        queries.withUnsafeBufferPointer { qp in
            items.withUnsafeBufferPointer { ip in
                let shared = SharedInputs(queries: qp.baseAddress!, items: ip.baseAddress!)
                let work: @Sendable (Int) -> Void = { worker in
                    let scoreBuffer = UnsafeMutablePointer<Float>.allocate(capacity: qb * ib)
                    defer { scoreBuffer.deallocate() }
                    var selector = TopKSelector(k: k, rows: qb)
                    var block = worker
                    while block < blocks {
                        let q0 = block * qb, qn = Swift.min(qb, q - q0)
                        selector.reset()
                        var i0 = 0
                        while i0 < n {
                            let inb = Swift.min(ib, n - i0)
                            gemm(transA: .none, transB: .transposed, m: qn, n: inb, k: d, alpha: 1,
                                 a: shared.queries + q0 * d, lda: d, b: shared.items + i0 * d, ldb: d,
                                 beta: 0, c: scoreBuffer, ldc: inb, threads: 1)
                            for r in 0..<qn {
                                let row = scoreBuffer + r * inb
                                if let excluding, excluding.count(q0 + r) > 0 {
                                    excluding.values.withUnsafeBufferPointer { v in
                                        let lo = excluding.offsets[q0 + r], hi = excluding.offsets[q0 + r + 1]
                                        let list = UnsafeBufferPointer(rebasing: v[lo..<hi])
                                        selector.offer(row: r, scores: row, count: inb, indexOffset: i0, excluding: list)
                                    }
                                } else {
                                    selector.offer(row: r, scores: row, count: inb, indexOffset: i0)
                                }
                            }
                            i0 += inb
                        }
                        for r in 0..<qn {
                            let at = (q0 + r) * k
                            out.counts![q0 + r] = selector.extract(row: r, scores: out.scores! + at, indices: out.rows! + at)
                        }
                        block += workerCount
                    }
                }
                parallelFor(chunks: workerCount, threads: workerCount, work)  // one chunk per worker: each keeps its scratch
            }
        }
    }
}

/// Raw output pointers of a search, written by several workers at disjoint rows.
struct TopKOutput: @unchecked Sendable {
    var rows: UnsafeMutablePointer<Int32>?
    var scores: UnsafeMutablePointer<Float>?
    var counts: UnsafeMutablePointer<Int>?
}

/// Read-only input pointers shared by the workers of one call.
struct SharedInputs: @unchecked Sendable {
    let queries: UnsafePointer<Float>
    let items: UnsafePointer<Float>
}
