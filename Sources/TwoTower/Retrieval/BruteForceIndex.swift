import Dispatch
import Foundation
import TowerCore

/// Exact maximum-inner-product search over a fixed set of item embeddings.
///
/// Scores are dot products `query · item`. The item matrix is packed once, at init, into the GEMM
/// micro-kernel's panel layout (`PackedMatrix` (TowerCore); as much memory again as the items), so a search
/// never re-packs it. A search computes the scores of a block of queries against a block of items
/// with `gemm` (default blocks of 256 queries × 2048 items, 2 MiB of scores, which stays in L2), feeds each row to a per-query `TopKSelector` and merges across
/// item blocks; query blocks are spread over threads. Order: higher score first, ties to the lower
/// item row, NaN scores last (`TopKOrder`).
///
/// With ``ScoringPrecision/bfloat16(refine:)`` the scan scores bfloat16 copies of the queries and
/// items instead (`BFloat16Matrix` (TowerCore); the float32 items are kept for re-scoring, not
/// packed), keeps the best `refine × k` per query, re-scores those in float32 and re-ranks them.
///
/// **k larger than the catalogue is clamped**: the result has `min(k, items)` columns, and a
/// query whose exclusion list leaves fewer items gets fewer valid entries (``TopKResult/counts``).
public struct BruteForceIndex: Sendable {
    /// Item embeddings, `[items, dimension]`.
    public let items: Matrix
    /// `itemsᵀ` packed for the GEMM kernel (`[dimension, items]` as op(B)); float32 precision only.
    let packedItems: PackedMatrix?
    /// The items in bfloat16 panels; bfloat16 precision only.
    let bfloat16Items: BFloat16Matrix?
    /// How queries are scored.
    public let precision: ScoringPrecision
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
    /// Fewest items per thread when the items are split between threads for fewer queries than
    /// threads (tuning; results do not depend on it).
    public var minimumItemsPerWorker = 4096

    /// Items per packed panel of the scoring kernel; item ranges scanned apart start on multiples of it.
    var panelWidth: Int { packedItems?.panelWidth ?? bfloat16Items!.panelWidth }

    /// An index over `items` (`[items, d]`), with external `ids` (`[items]`, unique) or the rows
    /// `0..<items` as ids, scoring at `precision`.
    /// - Throws: ``RetrievalError/emptyIndex`` for zero items,
    ///   ``RetrievalError/countMismatch(what:expected:found:)`` when `ids` has the wrong length,
    ///   ``RetrievalError/duplicateID(_:)`` for repeated ids.
    public init(items: Matrix, ids: [Int64]? = nil, precision: ScoringPrecision = .float32) throws {
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
        self.precision = precision
        switch precision {
        case .float32:
            packedItems = PackedMatrix(packing: items, transpose: .transposed)
            bfloat16Items = nil
        case .bfloat16(let refine):
            guard refine >= 1 else { throw RetrievalError.invalidPrecision(precision.description) }
            packedItems = nil
            bfloat16Items = BFloat16Matrix(packingItems: items)
        }
    }

    /// The top `min(k, items)` items of every query row of `queries` (`[q, d]`).
    /// - Parameters:
    ///   - excluding: per-query item rows never returned (e.g. items seen in training), one list
    ///     per query; `nil` for none.
    ///   - threads: worker threads (over query blocks, or over parts of the items when there
    ///     are fewer queries than threads); `nil` uses every core when the problem is large enough.
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
        if case .bfloat16(let refine) = precision {
            return refinedSearch(queries: queries, k: kk, candidates: Swift.min(count, kk * refine),
                                 excluding: excluding, threads: threads)
        }
        let (rows, scores, counts) = select(queries: queries, k: kk, excluding: excluding, threads: threads)
        return result(queries: queries.rows, k: kk, rows: rows, scores: scores, counts: counts)
    }

    /// The top `k` (≤ `count`) rows, scores `[q, k]` and counts `[q]` of every query, by the
    /// index's own scores. Inputs validated.
    func select(queries: Matrix, k: Int, excluding: IndexLists?, threads: Int?) -> ([Int32], [Float], [Int]) {
        let q = queries.rows
        var rows = [Int32](repeating: -1, count: q * k)
        var scores = [Float](repeating: -.infinity, count: q * k)
        var counts = [Int](repeating: 0, count: q)
        rows.withUnsafeMutableBufferPointer { r in
            scores.withUnsafeMutableBufferPointer { s in
                counts.withUnsafeMutableBufferPointer { c in
                    selectRows(queries: queries, k: k, excluding: excluding, threads: threads,
                               out: TopKOutput(rows: r.baseAddress, scores: s.baseAddress, counts: c.baseAddress))
                }
            }
        }
        return (rows, scores, counts)
    }

    /// A ``TopKResult`` with the external ids of `rows`.
    func result(queries q: Int, k: Int, rows: [Int32], scores: [Float], counts: [Int]) -> TopKResult {
        var outIDs = [Int64](repeating: -1, count: q * k)
        for i in 0..<(q * k) where rows[i] >= 0 { outIDs[i] = ids[Int(rows[i])] }
        return TopKResult(queries: q, k: k, ids: outIDs, rows: rows, scores: scores, counts: counts)
    }

    /// ``search(queries:k:excluding:threads:)`` with exclusion lists as nested arrays.
    public func search(queries: Matrix, k: Int, excluding: [[Int32]], threads: Int? = nil) throws -> TopKResult {
        try search(queries: queries, k: k, excluding: IndexLists(excluding), threads: threads)
    }

    /// Threads to use for `work` multiply-adds when the caller passes `nil`.
    static func defaultThreads(work: Int) -> Int {
        work >= 1 << 24 ? ThreadDefaults.cores : 1
    }

    /// Core of ``search``: validated inputs, `k <= count`; writes `[q, k]` rows and scores and
    /// `[q]` counts through `out`. Query blocks are spread over the workers; when there are fewer
    /// queries than workers (a lone request on an idle server), the item range is split instead
    /// and the per-worker top-k lists are merged (``selectRowsSplittingItems``).
    func selectRows(queries: Matrix, k: Int, excluding: IndexLists?, threads: Int?, out: TopKOutput) {
        let q = queries.rows, n = count
        guard q > 0 else { return }
        let workers = Swift.max(1, threads ?? Self.defaultThreads(work: q * n * dimension))
        if q < workers && n >= workers * minimumItemsPerWorker {
            selectRowsSplittingItems(queries: queries, k: k, excluding: excluding, workers: workers, out: out)
            return
        }
        let qb = Swift.max(1, Swift.min(queryBlock, (q + workers - 1) / workers))
        let blocks = (q + qb - 1) / qb
        let workerCount = Swift.min(workers, blocks)
        withInputs(queries) { shared in
            let work: @Sendable (Int) -> Void = { worker in
                var scan = BlockScan(index: self, shared: shared, k: k, queryRows: qb, excluding: excluding)
                defer { scan.deallocate() }
                var block = worker
                while block < blocks {
                    let q0 = block * qb, qn = Swift.min(qb, q - q0)
                    scan.run(q0: q0, qn: qn, items: 0..<n)
                    for r in 0..<qn {
                        let at = (q0 + r) * k
                        out.counts![q0 + r] = scan.selector.extract(row: r, scores: out.scores! + at, indices: out.rows! + at)
                    }
                    block += workerCount
                }
            }
            parallelFor(chunks: workerCount, threads: workerCount, work)  // one chunk per worker: each keeps its scratch
        }
    }


    /// All `q` queries against `workers` consecutive parts of the items, one part per worker,
    /// then the parts' top-k lists merged per query. Same results as scanning all items at once:
    /// each part keeps its own top k, so the global top k is among them, and ties still go to the
    /// lower item row (`TopKOrder`).
    func selectRowsSplittingItems(queries: Matrix, k: Int, excluding: IndexLists?, workers: Int, out: TopKOutput) {
        let q = queries.rows, n = count
        var partRows = [Int32](repeating: -1, count: workers * q * k)
        var partScores = [Float](repeating: -.infinity, count: workers * q * k)
        var partCounts = [Int](repeating: 0, count: workers * q)
        partRows.withUnsafeMutableBufferPointer { pr in
            partScores.withUnsafeMutableBufferPointer { ps in
                partCounts.withUnsafeMutableBufferPointer { pc in
                    let parts = TopKOutput(rows: pr.baseAddress, scores: ps.baseAddress, counts: pc.baseAddress)
                    withInputs(queries) { shared in
                        parallelFor(chunks: workers, threads: workers) { part in
                            var scan = BlockScan(index: self, shared: shared, k: k, queryRows: q, excluding: excluding)
                            defer { scan.deallocate() }
                            // Parts start on a packed panel boundary (`PackedMatrix.panelWidth`).
                            scan.run(q0: 0, qn: q, items: chunkRange(count: n, chunks: workers, chunk: part,
                                                                     alignment: self.panelWidth))
                            for r in 0..<q {
                                let at = (part * q + r) * k
                                parts.counts![part * q + r] = scan.selector.extract(row: r, scores: parts.scores! + at, indices: parts.rows! + at)
                            }
                        }
                    }
                }
            }
        }
        var merged = TopKSelector(k: k, rows: q)
        for part in 0..<workers {
            for r in 0..<q {
                let at = (part * q + r) * k
                for j in 0..<partCounts[part * q + r] {
                    merged.offer(row: r, score: partScores[at + j], index: partRows[at + j])
                }
            }
        }
        for r in 0..<q {
            out.counts![r] = merged.extract(row: r, scores: out.scores! + r * k, indices: out.rows! + r * k)
        }
    }

    private func withInputs(_ queries: Matrix, _ body: (SharedInputs) -> Void) {
        queries.withUnsafeBufferPointer { qp in
            if let packedItems {
                body(SharedInputs(queries: qp.baseAddress!, items: packedItems))
            } else {
                let items = bfloat16Items!
                let pairs = items.packQueries(qp.baseAddress!, rows: queries.rows, lda: dimension)
                pairs.withUnsafeBufferPointer { pp in
                    body(SharedInputs(queries: qp.baseAddress!, bfloat16: items, pairs: pp.baseAddress!))
                }
            }
        }
    }
}
