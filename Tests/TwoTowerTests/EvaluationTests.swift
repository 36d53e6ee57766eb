import Testing
import TowerCore
@testable import TwoTower

/// Expected values printed by Tests/TwoTowerTests/Reference/metrics.py (NumPy).
@Suite("Evaluation metrics")
struct EvaluationTests {
    static let case1Queries = Matrix(rows: 4, columns: 2, values: [1, 0, 0, 1, 1, 1, 1, -1])
    static let case1Items = Matrix(rows: 6, columns: 2, values: [3, 0, 2, 1, 2, 2, 0, 3, 1, 1, 2, 0])
    static let case1HeldOut = IndexLists([[5, 2], [1], [3, 4, 0], []])
    static let case1Excluded = IndexLists([[0], [3, 2], [], [1]])
    static let case1Counts = [10, 4, 4, 1, 7, 0]

    @Test(arguments: [1, 2])
    func perUserMatchesNumPyReference(threads: Int) throws {
        let result = try Evaluation.perUser(
            queries: Self.case1Queries, items: Self.case1Items, heldOut: Self.case1HeldOut,
            excluded: Self.case1Excluded, ks: [10, 1, 3, 3], itemCounts: Self.case1Counts, threads: threads)
        let expected: [String: Double] = [
            "recall@1": 0.3333333333333333, "ndcg@1": 0.3333333333333333, "precision@1": 0.3333333333333333,
            "map@1": 0.3333333333333333, "mrr@1": 0.3333333333333333, "hitrate@1": 0.3333333333333333,
            "recall@3": 0.7777777777777778, "ndcg@3": 0.6631694381943787, "precision@3": 0.4444444444444444,
            "map@3": 0.5833333333333334, "mrr@3": 0.6666666666666666, "hitrate@3": 1.0,
            "recall@10": 1.0, "ndcg@10": 0.7910524845403454, "precision@10": 0.20000000000000004,
            "map@10": 0.7055555555555556, "mrr@10": 0.6666666666666666, "hitrate@10": 1.0,
            "coverage@1": 0.3333333333333333, "popularity_percentile@1": 50.0,
            "coverage@3": 0.8333333333333334, "popularity_percentile@3": 58.888888888888886,
            "coverage@10": 1.0, "popularity_percentile@10": 48.666666666666664,
        ]
        let got = result.dictionary
        #expect(Set(got.keys) == Set(expected.keys))
        for (key, value) in expected {
            #expect(abs((got[key] ?? .nan) - value) < 1e-9, "\(key): \(got[key] ?? .nan) vs \(value)")
        }
        #expect(result.ks == [1, 3, 10])
        #expect(result.evaluated == 3 && result.skipped == 1)
        #expect(result.value(.recall, k: 3) == got["recall@3"])
    }

    @Test func merlinFixtureThroughTheAccumulator() {
        // test_metrics_topk.py fixture, labels sorted by prediction (metrics.py prints them).
        let sorted: [[Int]] = [[0, 1, 0, 1, 0], [0, 0, 0, 1, 1], [0, 0, 0, 0, 1]]
        let relevant = [2, 2, 1]
        var acc = MetricAccumulator(ks: [4], cappedRecall: true)
        for (y, r) in zip(sorted, relevant) { acc.add(listCount: 4, relevant: r) { y[$0] == 1 } }
        let m = acc.means()
        #expect(abs(m[.recall]![0] - 0.5) < 1e-12)
        #expect(abs(m[.precision]![0] - 0.25) < 1e-12)
        #expect(abs(m[.map]![0] - 0.20833333333333334) < 1e-12)
        #expect(abs(m[.mrr]![0] - 0.25) < 1e-12)
        #expect(abs(m[.ndcg]![0] - 0.30499635079324117) < 1e-12)
    }

    @Test func perRowMatchesNumPyReferenceWithoutTies() throws {
        let q = Matrix(rows: 4, columns: 2, values: [1, 0.5, 0.2, 1, -1, 0.3, 0.7, 0.9])
        let items = Matrix(rows: 5, columns: 2, values: [1, 0, 0, 1, 0.5, 0.5, -1, 0.2, 0.3, -0.9])
        let r = try Evaluation.perRow(queries: q, items: items, targets: [2, 0, 4, 1], ks: [1, 2, 5], seed: 7)
        let expected: [(Int, [RankingMetric: Double])] = [
            (1, [.recall: 0.25, .precision: 0.25, .map: 0.25, .mrr: 0.25, .ndcg: 0.25, .hitrate: 0.25]),
            (2, [.recall: 0.5, .precision: 0.25, .map: 0.375, .mrr: 0.375, .ndcg: 0.4077324383928644, .hitrate: 0.5]),
            (5, [.recall: 1.0, .precision: 0.2, .map: 0.5208333333333333, .mrr: 0.5208333333333333,
                 .ndcg: 0.6404015779112127, .hitrate: 1.0]),
        ]
        for (k, values) in expected {
            for (metric, v) in values {
                #expect(abs(r.value(metric, k: k)! - v) < 1e-9, "\(metric)@\(k)")
            }
        }
        #expect(r.value(.coverage, k: 5) == nil)
        #expect(r.evaluationProtocol == .perRow && r.evaluated == 4)
    }

    @Test func perRowTiesAreRandomSeededAndUniform() throws {
        // All scores equal: the target's rank is uniform on 1...5, so Recall@1 ≈ 1/5.
        let rows = 5000
        let q = Matrix(rows: rows, columns: 1, repeating: 1)
        let items = Matrix(rows: 5, columns: 1, repeating: 2)
        let targets = [Int32](repeating: 3, count: rows)
        let a = try Evaluation.perRow(queries: q, items: items, targets: targets, ks: [1, 5], seed: 42)
        let b = try Evaluation.perRow(queries: q, items: items, targets: targets, ks: [1, 5], seed: 42, threads: 2)
        let c = try Evaluation.perRow(queries: q, items: items, targets: targets, ks: [1, 5], seed: 43)
        #expect(a == b)
        #expect(a != c)
        #expect(abs(a.value(.recall, k: 1)! - 0.2) < 0.03)
        #expect(a.value(.recall, k: 5) == 1)
        // Merlin's optimistic-tie inflation (issue #617) would give recall@1 = 1 here.
    }

    @Test func perRowErrorsWhenKExceedsCandidates() {
        let q = Matrix(rows: 2, columns: 2), items = Matrix(rows: 3, columns: 2)
        #expect(throws: RetrievalError.kExceedsCandidates(k: 4, candidates: 3)) {
            try Evaluation.perRow(queries: q, items: items, targets: [0, 1], ks: [2, 4], seed: 1)
        }
        #expect(throws: RetrievalError.itemOutOfRange(what: "target", list: 1, item: 3, items: 3)) {
            try Evaluation.perRow(queries: q, items: items, targets: [0, 3], ks: [2], seed: 1)
        }
        #expect(throws: RetrievalError.invalidK(0)) {
            try Evaluation.perRow(queries: q, items: items, targets: [0, 1], ks: [0], seed: 1)
        }
    }

    @Test func perUserInputErrors() {
        let q = Matrix(rows: 2, columns: 2), items = Matrix(rows: 3, columns: 2)
        #expect(throws: RetrievalError.countMismatch(what: "held-out lists", expected: 2, found: 1)) {
            try Evaluation.perUser(queries: q, items: items, heldOut: IndexLists([[0]]), ks: [1])
        }
        #expect(throws: RetrievalError.itemOutOfRange(what: "held-out", list: 1, item: 7, items: 3)) {
            try Evaluation.perUser(queries: q, items: items, heldOut: IndexLists([[0], [7]]), ks: [1])
        }
        #expect(throws: RetrievalError.dimensionMismatch(what: "Evaluation.perUser queries", expected: 2, found: 3)) {
            try Evaluation.perUser(queries: Matrix(rows: 2, columns: 3), items: items, heldOut: IndexLists([[0], [1]]), ks: [1])
        }
        #expect(throws: RetrievalError.countMismatch(what: "item counts", expected: 3, found: 2)) {
            try Evaluation.perUser(queries: q, items: items, heldOut: IndexLists([[0], [1]]), ks: [1], itemCounts: [1, 2])
        }
    }

    @Test func popularityPercentilesUseMidRanks() {
        #expect(Evaluation.popularityPercentiles([10, 4, 4, 1, 7, 0]) == [100, 50, 50, 20, 80, 0])
        #expect(Evaluation.popularityPercentiles([3, 3, 3]) == [50, 50, 50])
        #expect(Evaluation.popularityPercentiles([9]) == [50])
    }

    @Test func popularityBaselineEqualsPopularityEmbeddings() throws {
        let counts = Self.case1Counts
        let base = try Baselines.popularity(itemCounts: counts, heldOut: Self.case1HeldOut,
                                            excluded: Self.case1Excluded, ks: [1, 3])
        // Popularity order: 0 (10), 4 (7), 1 (4), 2 (4), 3 (1), 5 (0). User 0 excludes 0 → [4, 1, 2]:
        // hit at position 2 (item 2). User 1 excludes 2, 3 → [0, 4, 1]: hit at 2. User 2 → [0, 4, 1]: hits 0, 1.
        #expect(abs(base.value(.recall, k: 3)! - (0.5 + 1 + 2.0 / 3) / 3) < 1e-12)
        #expect(abs(base.value(.hitrate, k: 1)! - 1.0 / 3) < 1e-12)
        #expect(abs(base.value(.coverage, k: 3)! - 4.0 / 6) < 1e-12)
    }

    @Test func randomBaselineIsSeededAndNearChance() throws {
        let users = 400, items = 50
        var held: [[Int32]] = [], excl: [[Int32]] = []
        var rng = Xoshiro256(seed: 3)
        for _ in 0..<users {
            held.append([Int32.random(in: 0..<Int32(items), using: &rng)])
            excl.append((0..<5).map { _ in Int32.random(in: 0..<Int32(items), using: &rng) })
        }
        let h = IndexLists(held), e = IndexLists(excl)
        let a = try Baselines.random(items: items, heldOut: h, excluded: e, ks: [10, 60], seed: 9)
        let b = try Baselines.random(items: items, heldOut: h, excluded: e, ks: [10, 60], seed: 9)
        #expect(a == b)
        // About 10 of ~45.5 candidates: recall near 0.22 (held-out items hidden by exclusion never hit).
        let r10 = a.value(.recall, k: 10)!
        #expect(r10 > 0.12 && r10 < 0.3)
        // k = 60 exceeds every user's candidates: all non-excluded items listed, never an excluded one.
        let notExcluded = zip(held, excl).filter { !$0.1.contains($0.0[0]) }.count
        #expect(abs(a.value(.recall, k: 60)! - Double(notExcluded) / Double(users)) < 1e-12)
        let perRow = try Baselines.randomPerRow(items: 20, rows: 4000, ks: [5], seed: 1)
        #expect(abs(perRow.value(.recall, k: 5)! - 0.25) < 0.03)
    }

    @Test func oracleEmbeddingsScoreIsFactorsOverTemperaturePlusLogPopularity() {
        let u = Matrix(rows: 1, columns: 2, values: [1, 2]), v = Matrix(rows: 2, columns: 2, values: [3, 4, -1, 0.5])
        let (q, it) = Baselines.oracleEmbeddings(userFactors: u, itemFactors: v, itemLogPopularity: [-2, -1], temperature: 0.5)
        var s = Matrix(rows: 1, columns: 2)
        gemm(.none, .transposed, q, it, into: &s)
        let expected: [Float] = [22 - 2, 0 - 1]  // (1·3 + 2·4)/0.5 − 2, (1·(−1) + 2·0.5)/0.5 − 1
        #expect(s.storage == expected)
    }

    @Test func metricsTablePutsColumnsSideBySide() throws {
        let model = try Evaluation.perUser(queries: Self.case1Queries, items: Self.case1Items,
                                           heldOut: Self.case1HeldOut, excluded: Self.case1Excluded,
                                           ks: [3], itemCounts: Self.case1Counts)
        let perRow = try Baselines.randomPerRow(items: 6, rows: 3, ks: [3], seed: 1)
        let text = MetricsTable.render([("model", model), ("random", perRow)])
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("metric") && lines[0].contains("model") && lines[0].contains("random"))
        #expect(lines.count == 2 + 8)
        let recall = try #require(lines.first { $0.hasPrefix("recall@3") })
        #expect(recall.contains("0.7778"))
        let pct = try #require(lines.first { $0.hasPrefix("popularity_percentile@3") })
        #expect(pct.contains("58.9") && pct.hasSuffix("-"))
    }
}
