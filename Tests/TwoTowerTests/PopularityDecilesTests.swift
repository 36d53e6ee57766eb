import Testing
import TowerCore
@testable import TwoTower

/// Popularity deciles of items and the decile shares of a ranking's recommended slots.
@Suite struct PopularityDecilesTests {
    @Test func decilesOrderItemsByCountTiesToTheLowerRow() {
        // 20 items: counts 20, 19, …, 1 on rows 0…19 → rows 0,1 in decile 0, rows 18,19 in decile 9.
        let counts = (0..<20).map { 20 - $0 }
        let d = PopularityDeciles.deciles(itemCounts: counts)
        #expect(d == (0..<20).map { $0 / 2 })
        // Ties: equal counts keep row order.
        #expect(PopularityDeciles.deciles(itemCounts: [Int](repeating: 1, count: 10)) == Array(0..<10))
        #expect(PopularityDeciles.shares(of: [0, 1, 19, 19], deciles: d) == [0.5, 0, 0, 0, 0, 0, 0, 0, 0, 0.5])
        #expect(PopularityDeciles.shares(of: [], deciles: d) == [Double](repeating: 0, count: 10))
    }

    @Test func popularityRankingFillsTheHeadDecile() throws {
        // 40 items, counts descending by row; 3 users, nothing excluded; k = 4 = the top 10%.
        let counts = (0..<40).map { 40 - $0 }
        let heldOut = IndexLists(offsets: [0, 1, 2, 3], values: [0, 5, 39])
        let result = try Baselines.popularity(itemCounts: counts, heldOut: heldOut, excluded: nil, ks: [4, 8])
        let shares = try #require(result.popularityDecileShares)
        #expect(shares[0] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(shares[1] == [0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0])
        let random = try Baselines.random(items: 40, heldOut: heldOut, excluded: nil, ks: [8], itemCounts: counts, seed: 1)
        let randomShares = try #require(random.popularityDecileShares)
        #expect(abs(randomShares[0].reduce(0, +) - 1) < 1e-12)
        // Without item counts there are no deciles.
        let plain = try Baselines.random(items: 40, heldOut: heldOut, excluded: nil, ks: [8], seed: 1)
        #expect(plain.popularityDecileShares == nil)
    }
}
