import Testing
import TowerCore
import TowerTestSupport
@testable import TwoTower

/// Naive reference: full sort of q·item (Float dot in index order) with the documented order.
private func naiveSearch(_ q: Matrix, _ items: Matrix, k: Int, excluding: [[Int32]]?) -> [[Int32]] {
    var out: [[Int32]] = []
    var scores = Matrix(rows: q.rows, columns: items.rows)
    gemm(.none, .transposed, q, items, into: &scores)
    for r in 0..<q.rows {
        let ex = Set(excluding?[r] ?? [])
        let cand = (0..<Int32(items.rows)).filter { !ex.contains($0) }
        let sorted = cand.sorted { a, b in
            let sa = scores[r, Int(a)], sb = scores[r, Int(b)]
            return sa > sb || (sa == sb && a < b)
        }
        out.append(Array(sorted.prefix(k)))
    }
    return out
}

@Suite("BruteForceIndex")
struct BruteForceIndexTests {
    @Test(arguments: [(1, 1, 1, 1), (7, 13, 3, 5), (33, 300, 8, 20), (70, 2500, 16, 100), (5, 40, 4, 64)])
    func matchesNaiveFullSort(queries: Int, items: Int, d: Int, k: Int) throws {
        let q = randomMatrix(rows: queries, columns: d, seed: UInt64(queries * 31 + items))
        // Quantised item values create exact score ties.
        var it = randomMatrix(rows: items, columns: d, seed: UInt64(items * 17 + d))
        for i in 0..<it.storage.count { it.storage[i] = (it.storage[i] * 2).rounded() / 2 }
        var rng = Xoshiro256(seed: 5)
        let excluding: [[Int32]] = (0..<queries).map { r in
            r % 3 == 0 ? [] : (0..<min(items, 1 + r % 7)).map { _ in Int32.random(in: 0..<Int32(items), using: &rng) }
        }
        let ids = (0..<items).map { Int64($0) * 10 + 7 }
        var index = try BruteForceIndex(items: it, ids: ids)
        index.queryBlock = 16; index.itemBlock = 128  // exercise block merging
        let expectedPlain = naiveSearch(q, it, k: k, excluding: nil)
        let expectedExcl = naiveSearch(q, it, k: k, excluding: excluding)
        for threads in [1, 2] {
            let plain = try index.search(queries: q, k: k, threads: threads)
            let excl = try index.search(queries: q, k: k, excluding: excluding, threads: threads)
            #expect(plain.k == min(k, items))
            for r in 0..<queries {
                #expect(Array(plain.rows(query: r)) == expectedPlain[r], "row \(r) threads \(threads)")
                #expect(Array(excl.rows(query: r)) == expectedExcl[r], "row \(r) threads \(threads) excl")
                #expect(Array(excl.ids(query: r)) == expectedExcl[r].map { Int64($0) * 10 + 7 })
                let scores = Array(excl.scores(query: r))
                #expect(scores == scores.sorted(by: >))
            }
        }
    }

    @Test func clampsKAndPadsShortRows() throws {
        let it = Matrix(rows: 3, columns: 1, values: [1, 3, 2])
        let index = try BruteForceIndex(items: it, ids: [100, 200, 300])
        let r = try index.search(queries: Matrix(rows: 2, columns: 1, values: [1, -1]), k: 10,
                                 excluding: [[], [0, 2]])
        #expect(r.k == 3)
        #expect(r.counts == [3, 1])
        #expect(Array(r.ids(query: 0)) == [200, 300, 100])
        #expect(r.ids == [200, 300, 100, 200, -1, -1])
        #expect(r.scores[4] == -.infinity && r.rows[5] == -1)
    }

    @Test func errors() throws {
        #expect(throws: RetrievalError.emptyIndex) { try BruteForceIndex(items: Matrix(rows: 0, columns: 4)) }
        #expect(throws: RetrievalError.duplicateID(5)) {
            try BruteForceIndex(items: Matrix(rows: 2, columns: 1), ids: [5, 5])
        }
        #expect(throws: RetrievalError.countMismatch(what: "BruteForceIndex ids", expected: 2, found: 1)) {
            try BruteForceIndex(items: Matrix(rows: 2, columns: 1), ids: [5])
        }
        let index = try BruteForceIndex(items: Matrix(rows: 4, columns: 3))
        #expect(throws: RetrievalError.dimensionMismatch(what: "BruteForceIndex.search queries", expected: 3, found: 2)) {
            try index.search(queries: Matrix(rows: 1, columns: 2), k: 1)
        }
        #expect(throws: RetrievalError.invalidK(0)) { try index.search(queries: Matrix(rows: 1, columns: 3), k: 0) }
        #expect(throws: RetrievalError.itemOutOfRange(what: "exclusion", list: 0, item: 4, items: 4)) {
            try index.search(queries: Matrix(rows: 1, columns: 3), k: 1, excluding: [[4]])
        }
        #expect(throws: RetrievalError.countMismatch(what: "BruteForceIndex.search exclusion lists", expected: 1, found: 2)) {
            try index.search(queries: Matrix(rows: 1, columns: 3), k: 1, excluding: [[], []])
        }
        #expect(RetrievalError.emptyIndex.description.contains("no items"))
    }

    @Test func emptyQueryBatchGivesEmptyResult() throws {
        let index = try BruteForceIndex(items: Matrix(rows: 4, columns: 3))
        let r = try index.search(queries: Matrix(rows: 0, columns: 3), k: 2)
        #expect(r.queries == 0 && r.ids.isEmpty)
    }
}
