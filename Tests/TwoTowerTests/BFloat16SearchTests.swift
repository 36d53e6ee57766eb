import Testing
import TowerCore
import TowerTestSupport
@testable import TwoTower

/// The bfloat16 index (`ScoringPrecision.bfloat16(refine:)`): with enough candidates its results
/// are the float32 index's results bit for bit — rows, scores, counts, ties and exclusions — on
/// one thread, on several (query blocks and item splits); with few candidates every returned
/// score is still the float32 score of that item.
@Suite struct BFloat16SearchTests {
    static func fixture(items n: Int, d: Int) -> Matrix {
        var items = randomMatrix(rows: n, columns: d, seed: 11)
        for copy in [n / 3, n - 1] { for c in 0..<d { items[copy, c] = items[0, c] } }  // exact ties
        return items
    }

    @Test(arguments: [(q: 1, n: 3000, d: 16, k: 10), (q: 37, n: 2500, d: 64, k: 5), (q: 3, n: 9000, d: 7, k: 50)])
    func enoughCandidatesGiveTheFloat32Results(_ c: (q: Int, n: Int, d: Int, k: Int)) throws {
        let items = Self.fixture(items: c.n, d: c.d)
        let queries = randomMatrix(rows: c.q, columns: c.d, seed: 12)
        let excluding = IndexLists((0..<c.q).map { i in i % 2 == 0 ? [Int32(0), Int32(5), Int32(c.n - 2)] : [] })
        let exact = try BruteForceIndex(items: items)
        // refine so large that every item is a candidate: the re-ranking alone decides.
        var approximate = try BruteForceIndex(items: items, precision: .bfloat16(refine: c.n))
        approximate.minimumItemsPerWorker = 1000
        approximate.itemBlock = 512
        let expected = try exact.search(queries: queries, k: c.k, excluding: excluding, threads: 1)
        for threads in [1, 2, 4] {
            let got = try approximate.search(queries: queries, k: c.k, excluding: excluding, threads: threads)
            #expect(got.rows == expected.rows, "threads \(threads)")
            #expect(got.scores.map(\.bitPattern) == expected.scores.map(\.bitPattern), "threads \(threads)")
            #expect(got.counts == expected.counts)
            #expect(got.ids == expected.ids)
        }
    }

    @Test func fewCandidatesStillReturnFloat32Scores() throws {
        let n = 4000, d = 32, k = 20
        let items = Self.fixture(items: n, d: d)
        let queries = randomMatrix(rows: 9, columns: d, seed: 13)
        let exact = try BruteForceIndex(items: items)
        let approximate = try BruteForceIndex(items: items, precision: .bfloat16(refine: 1))
        let got = try approximate.search(queries: queries, k: k)
        let all = try exact.search(queries: queries, k: n)  // every item's float32 score
        var overlap = 0
        for q in 0..<queries.rows {
            var exactScore = [Int32: Float]()
            for (row, score) in zip(all.rows(query: q), all.scores(query: q)) { exactScore[row] = score }
            let rows = Array(got.rows(query: q)), scores = Array(got.scores(query: q))
            #expect(rows.count == k && Set(rows).count == k)
            for (row, score) in zip(rows, scores) { #expect(score.bitPattern == exactScore[row]!.bitPattern) }
            // Best first by float32 score, ties to the lower row.
            for j in 1..<k { #expect(TopKOrder.ranksBefore(scores[j - 1], rows[j - 1], scores[j], rows[j])) }
            overlap += Set(rows).intersection(all.rows(query: q).prefix(k)).count
        }
        // bfloat16 keeps 8 significant bits: on random data nearly all of the top 20 survive.
        #expect(Double(overlap) / Double(k * queries.rows) > 0.9)
    }

    @Test func exclusionsLeavingFewItemsAndKBeyondTheCatalogue() throws {
        let items = randomMatrix(rows: 40, columns: 8, seed: 14)
        let index = try BruteForceIndex(items: items, precision: .bfloat16(refine: 2))
        let queries = randomMatrix(rows: 2, columns: 8, seed: 15)
        let excluding = IndexLists([Array(0..<37).map(Int32.init), []])
        let result = try index.search(queries: queries, k: 100, excluding: excluding)
        #expect(result.k == 40)
        #expect(result.counts == [3, 40])
        #expect(Set(result.rows(query: 0)) == [37, 38, 39])
    }

    @Test func precisionParsing() throws {
        #expect(try ScoringPrecision(parsing: "float32") == .float32)
        #expect(try ScoringPrecision(parsing: "bfloat16") == .bfloat16(refine: ScoringPrecision.defaultRefine))
        #expect(try ScoringPrecision(parsing: "bfloat16:3") == .bfloat16(refine: 3))
        for bad in ["fp16", "bfloat16:0", "bfloat16:x", "bfloat16:", "Float32", "bfloat16:1001"] {
            #expect(throws: RetrievalError.invalidPrecision(bad)) { try ScoringPrecision(parsing: bad) }
        }
        #expect(throws: RetrievalError.invalidPrecision("bfloat16:0")) {
            try BruteForceIndex(items: randomMatrix(rows: 3, columns: 2, seed: 1), precision: .bfloat16(refine: 0))
        }
        #expect(ScoringPrecision.bfloat16(refine: 4).description == "bfloat16:4")
    }
}
