import Testing
import TowerCore
import TowerTestSupport
@testable import TwoTower

/// Splitting the items between threads (fewer queries than threads) gives the results of one
/// thread scanning them all, ties and exclusions included.
@Suite struct BruteForceIndexSplitTests {
    @Test(arguments: [(1, 9000, 16, 100), (2, 10000, 8, 10), (1, 8200, 4, 290), (3, 12288, 4, 1)])
    func itemSplitEqualsOneThread(queries q: Int, items n: Int, dimension d: Int, k: Int) throws {
        var itemMatrix = randomMatrix(rows: n, columns: d, seed: 5)
        // Exact ties across the split boundaries: copies of row 0 in every part.
        for copy in [n / 4, n / 2, n - 1] {
            for c in 0..<d { itemMatrix[copy, c] = itemMatrix[0, c] }
        }
        var index = try BruteForceIndex(items: itemMatrix)
        index.minimumItemsPerWorker = 1000
        index.itemBlock = 512
        let queryMatrix = randomMatrix(rows: q, columns: d, seed: 6)
        let excluding = IndexLists((0..<q).map { i in i == 0 ? [Int32(1), Int32(n / 2), Int32(n - 2)] : [] })
        let single = try index.search(queries: queryMatrix, k: k, excluding: excluding, threads: 1)
        for threads in [q + 1, 4] where threads > q {
            let split = try index.search(queries: queryMatrix, k: k, excluding: excluding, threads: threads)
            #expect(split.rows == single.rows, "threads \(threads)")
            #expect(split.scores == single.scores, "threads \(threads)")
            #expect(split.counts == single.counts, "threads \(threads)")
        }
        #expect(!single.rows.contains(Int32(n / 2)))
    }
}
