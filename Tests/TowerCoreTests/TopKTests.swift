import Testing
import TowerCore
import TowerTestSupport

/// Naive reference: sort all non-excluded (score, index) pairs by the documented order.
private func naiveTopK(_ row: [Float], k: Int, excluding: Set<Int32> = []) -> [(Float, Int32)] {
    var pairs: [(Float, Int32)] = []
    for (j, s) in row.enumerated() where !excluding.contains(Int32(j)) { pairs.append((s, Int32(j))) }
    pairs.sort { a, b in
        // NaN last; ties by lower index.
        if a.0.isNaN != b.0.isNaN { return !a.0.isNaN }
        if a.0.isNaN { return a.1 < b.1 }
        return a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
    }
    return Array(pairs.prefix(k))
}

private func same(_ a: [(Float, Int32)], _ bScores: ArraySlice<Float>, _ bIndices: ArraySlice<Int32>) -> Bool {
    guard a.count == bScores.count else { return false }
    for (x, (s, i)) in zip(a, zip(bScores, bIndices)) {
        if x.1 != i { return false }
        if x.0.isNaN ? !s.isNaN : x.0 != s { return false }
    }
    return true
}

@Suite("TopK selection")
struct TopKTests {
    @Test func handCaseWithTiesIsBestFirstLowerIndexFirst() {
        let m = Matrix(rows: 1, columns: 6, values: [1, 3, 3, 2, 3, 0])
        let sel = topK(m, k: 4)
        #expect(sel.indices == [1, 2, 4, 3])
        #expect(sel.scores == [3, 3, 3, 2])
        #expect(sel.counts == [4])
    }

    @Test func nanRanksLastAndNegativeInfinityBeforeNaN() {
        let m = Matrix(rows: 1, columns: 5, values: [.nan, -.infinity, 0.5, .nan, -1])
        let sel = topK(m, k: 5)
        #expect(sel.indices == [2, 4, 1, 0, 3])
        #expect(sel.scores[0] == 0.5 && sel.scores[2] == -.infinity && sel.scores[3].isNaN && sel.scores[4].isNaN)
        // A full heap holding a NaN still admits a later number.
        let m2 = Matrix(rows: 1, columns: 3, values: [.nan, .nan, 7])
        #expect(topK(m2, k: 2).indices == [2, 0])
    }

    @Test func exclusionsSkipIndicesAndShortRowsReportCounts() {
        let m = Matrix(rows: 2, columns: 4, values: [4, 3, 2, 1, 1, 2, 3, 4])
        let sel = topK(m, k: 3, excluding: [[0, 0, 2], [0, 1, 2]])
        #expect(Array(sel.indices[0..<2]) == [1, 3])
        #expect(sel.counts == [2, 1])
        #expect(sel.indices[3] == 3 && sel.scores[3] == 4)
        #expect(sel.indices[2] == -1 && sel.scores[2] == -.infinity)
    }

    @Test(arguments: [(1, 1), (3, 8), (7, 100), (50, 1000), (100, 37), (16, 4099)])
    func matchesNaiveSortOnRandomRows(k: Int, n: Int) {
        var rng = Xoshiro256(seed: UInt64(k * 7919 + n))
        let rows = 5
        var values: [Float] = []
        for _ in 0..<(rows * n) {
            // Coarse values to force many ties; a few NaNs.
            let u = Int.random(in: 0..<50, using: &rng)
            values.append(u == 0 ? .nan : Float(Int.random(in: -20...20, using: &rng)) / 4)
        }
        var exclusions: [[Int32]] = []
        for r in 0..<rows {
            let count = r == 0 ? 0 : Int.random(in: 0...min(n, 30), using: &rng)
            exclusions.append((0..<count).map { _ in Int32.random(in: 0..<Int32(n), using: &rng) }.sorted())
        }
        let m = Matrix(rows: rows, columns: n, values: values)
        let sel = topK(m, k: k, excluding: exclusions)
        for r in 0..<rows {
            let expected = naiveTopK(Array(values[r * n ..< (r + 1) * n]), k: k, excluding: Set(exclusions[r]))
            let c = sel.counts[r]
            #expect(c == expected.count)
            #expect(same(expected, sel.scores[r * k ..< r * k + c], sel.indices[r * k ..< r * k + c]))
        }
    }

    @Test func blockwiseOffersAndReuseGiveTheSameAsOneShot() {
        let n = 1000, k = 20
        let m = randomMatrix(rows: 3, columns: n, seed: 11)
        let oneShot = topK(m, k: k, excluding: [[5, 6, 999], [], [0]])
        var selector = TopKSelector(k: k, rows: 3)
        var scores = [Float](repeating: 0, count: k), indices = [Int32](repeating: 0, count: k)
        for pass in 0..<2 {  // second pass checks reuse after extract
            selector.reset()
            m.withUnsafeBufferPointer { s in
                let ex: [[Int32]] = [[5, 6, 999], [], [0]]
                for block in stride(from: 0, to: n, by: 128) {
                    let len = min(128, n - block)
                    for r in 0..<3 {
                        ex[r].withUnsafeBufferPointer { e in
                            selector.offer(row: r, scores: s.baseAddress! + r * n + block, count: len,
                                           indexOffset: block, excluding: e)
                        }
                    }
                }
            }
            for r in 0..<3 {
                let c = selector.extract(row: r, scores: &scores, indices: &indices)
                #expect(c == k, "pass \(pass)")
                #expect(Array(indices) == Array(oneShot.indices[r * k ..< (r + 1) * k]))
                #expect(Array(scores) == Array(oneShot.scores[r * k ..< (r + 1) * k]))
                #expect(selector.count(row: r) == 0)
            }
        }
    }

    @Test func singleOffersInAnyOrderRespectTieOrder() {
        var selector = TopKSelector(k: 2)
        selector.offer(row: 0, score: 1, index: 9)
        selector.offer(row: 0, score: 1, index: 4)
        selector.offer(row: 0, score: 1, index: 7)
        selector.offer(row: 0, score: 0, index: 0)
        var s = [Float](repeating: 0, count: 2), i = [Int32](repeating: 0, count: 2)
        #expect(selector.extract(row: 0, scores: &s, indices: &i) == 2)
        #expect(i == [4, 7])
    }
}
