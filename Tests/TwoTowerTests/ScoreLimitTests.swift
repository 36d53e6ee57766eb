import Testing
import TowerCore
import TwoTower

/// The load check the CLI shares with the server: a model whose largest norms multiply beyond
/// half of Float's range is refused (its scores could be infinite), one just within is not.
@Suite struct ScoreLimitTests {
    @Test func normsThatMultiplyBeyondTheLimitAreRefused() throws {
        let big = Float(1e19)  // 1e19 · 1e19 = 1e38 < 1.7e38 (the limit); 2e19 · 1e19 = 2e38 beyond
        let items = Matrix(rows: 2, columns: 2, values: [big, 0, 0, 1])
        try Recommender.checkFiniteScores(queries: Matrix(rows: 1, columns: 2, values: [1, 0]), items: items, path: "m")
        let queries = Matrix(rows: 2, columns: 2, values: [0, 1, 2 * big, 0])
        #expect(throws: ScoreOverflowError.self) {
            try Recommender.checkFiniteScores(queries: queries, items: items, path: "m")
        }
        // Item · item for similar items: an item norm alone beyond the square root of the limit.
        let huge = Matrix(rows: 1, columns: 1, values: [2e19])
        let error = try #require(throwing { try Recommender.checkFiniteScores(queries: Matrix(rows: 1, columns: 1, values: [1]), items: huge, path: "m") })
        #expect("\(error)".hasPrefix("m: the largest embedding norms multiply to"), "\(error)")
    }

    @Test func theNormIsComputedWithoutOverflow() {
        let m = Matrix(rows: 1, columns: 2, values: [Float.greatestFiniteMagnitude, Float.greatestFiniteMagnitude])
        #expect(Recommender.maxRowNorm(m).isFinite)
    }

    func throwing(_ body: () throws -> Void) -> (any Error)? {
        do { try body(); return nil } catch { return error }
    }
}
