import Testing
import TowerCore

/// Elementwise kernels, whole-vector reductions and row/column reductions against Double references.
@Suite struct VectorMathTests {
    static let lengths = [1, 7, 8, 9, 17, 33, 127, 1000]

    static func randomValues(_ count: Int, seed: UInt64) -> [Float] {
        var rng = Xoshiro256(seed: seed)
        return (0..<count).map { _ in Float.random(in: -2..<2, using: &rng) }
    }

    /// |got − want| ≤ tolerance · (Σ|terms| + tiny): the error bound of a Float sum of those terms.
    static func close(_ got: Float, _ want: Double, magnitude: Double, _ tolerance: Double = 1e-6) -> Bool {
        abs(Double(got) - want) <= tolerance * (magnitude + 1e-30)
    }

    @Test(arguments: lengths)
    func elementwiseKernels(count: Int) {
        let a = Self.randomValues(count, seed: 1), b = Self.randomValues(count, seed: 2)
        var out = [Float](repeating: .nan, count: count)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { add(a, b, into: $0) }
                #expect(out == zip(a, b).map { $0 + $1 })
                out.withUnsafeMutableBufferPointer { subtract(a, b, into: $0) }
                #expect(out == zip(a, b).map { $0 - $1 })
                out.withUnsafeMutableBufferPointer { multiply(a, b, into: $0) }
                #expect(out == zip(a, b).map { $0 * $1 })
                out.withUnsafeMutableBufferPointer { fill($0, with: 0.25) }
                #expect(out.allSatisfy { $0 == 0.25 })
                out.withUnsafeMutableBufferPointer { axpy(-1.5, a, $0) }
                #expect(out == a.map { 0.25 + -1.5 * $0 })
                out.withUnsafeMutableBufferPointer { add(b, to: $0) }
                #expect(out == zip(a, b).map { (0.25 + -1.5 * $0) + $1 })
                out.withUnsafeMutableBufferPointer { scale($0, by: 3) }
                #expect(out == zip(a, b).map { ((0.25 + -1.5 * $0) + $1) * 3 })
            }
        }
        // In place: the output is one of the inputs.
        var c = a
        c.withUnsafeMutableBufferPointer { c in b.withUnsafeBufferPointer { add(UnsafeBufferPointer(c), $0, into: c) } }
        #expect(c == zip(a, b).map { $0 + $1 })
    }

    @Test(arguments: lengths)
    func reductions(count: Int) {
        let a = Self.randomValues(count, seed: 3), b = Self.randomValues(count, seed: 4)
        let refSum = a.reduce(0.0) { $0 + Double($1) }
        let refDot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let refSquares = a.reduce(0.0) { $0 + Double($1) * Double($1) }
        let absSum = a.reduce(0.0) { $0 + abs(Double($1)) }
        let absDot = zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                #expect(Self.close(sum(a), refSum, magnitude: absSum))
                #expect(Self.close(dot(a, b), refDot, magnitude: absDot))
                #expect(Self.close(squaredNorm(a), refSquares, magnitude: refSquares))
                #expect(maximum(a) == Array(a).max()!)
            }
        }
    }

    @Test func emptyAndSpecialReductions() {
        let empty: [Float] = []
        empty.withUnsafeBufferPointer {
            #expect(sum($0) == 0 && dot($0, $0) == 0 && squaredNorm($0) == 0)
            #expect(maximum($0) == -.infinity)
        }
        // The maximum sits in every position once (vector body, second accumulator, tail).
        for position in 0..<19 {
            var values = [Float](repeating: -3, count: 19)
            values[position] = 5
            values[(position + 7) % 19] = .nan
            #expect(values.withUnsafeBufferPointer { maximum($0) } == 5, "maximum at \(position)")
        }
        #expect([Float.nan, -.infinity].withUnsafeBufferPointer { maximum($0) } == -.infinity)
    }

    @Test(arguments: [(1, 1), (3, 7), (5, 8), (4, 9), (2, 17), (6, 33), (3, 127)])
    func rowAndColumnReductions(rows: Int, columns: Int) {
        let a = Matrix(rows: rows, columns: columns, values: Self.randomValues(rows * columns, seed: 5))
        let b = Matrix(rows: rows, columns: columns, values: Self.randomValues(rows * columns, seed: 6))
        var sums: [Float] = [], dots: [Float] = [9, 9, 9, 9, 9, 9, 9, 9, 9], norms: [Float] = []
        var columnTotals: [Float] = []
        rowSums(a, into: &sums)
        rowDots(a, b, into: &dots)
        rowNorms(a, into: &norms)
        columnSums(a, into: &columnTotals)
        #expect(sums.count == rows && dots.count == rows && norms.count == rows && columnTotals.count == columns)
        for r in 0..<rows {
            var s = 0.0, d = 0.0, q = 0.0, absS = 0.0, absD = 0.0
            for c in 0..<columns {
                s += Double(a[r, c]); absS += abs(Double(a[r, c]))
                d += Double(a[r, c]) * Double(b[r, c]); absD += abs(Double(a[r, c]) * Double(b[r, c]))
                q += Double(a[r, c]) * Double(a[r, c])
            }
            #expect(Self.close(sums[r], s, magnitude: absS), "row \(r)")
            #expect(Self.close(dots[r], d, magnitude: absD), "row \(r)")
            #expect(Self.close(norms[r], q.squareRoot(), magnitude: q.squareRoot()), "row \(r)")
        }
        for c in 0..<columns {
            var s = 0.0, absS = 0.0
            for r in 0..<rows { s += Double(a[r, c]); absS += abs(Double(a[r, c])) }
            #expect(Self.close(columnTotals[c], s, magnitude: absS), "column \(c)")
        }
        // Accumulating adds a second copy of the sums.
        let once = columnTotals
        columnSums(a, into: &columnTotals, accumulate: true)
        for c in 0..<columns { #expect(Self.close(columnTotals[c], 2 * Double(once[c]), magnitude: 2 * abs(Double(once[c])))) }
    }

    @Test func matrixConveniences() {
        let a = Matrix(rows: 3, columns: 5, values: Self.randomValues(15, seed: 7))
        let b = Matrix(rows: 3, columns: 5, values: Self.randomValues(15, seed: 8))
        var m = a
        m.add(b)
        #expect(m.storage == zip(a.storage, b.storage).map { $0 + $1 })
        m = a
        m.add(b, scaledBy: 0.5)
        #expect(m.storage == zip(a.storage, b.storage).map { $0 + 0.5 * $1 })
        m = a
        m.subtract(b)
        #expect(m.storage == zip(a.storage, b.storage).map { $0 + -1 * $1 })
        m = a
        m.multiply(elementwise: b)
        #expect(m.storage == zip(a.storage, b.storage).map { $0 * $1 })
        m.scale(by: 2)
        #expect(m.storage == zip(a.storage, b.storage).map { $0 * $1 * 2 })
        m.fill(with: -1)
        #expect(m.storage.allSatisfy { $0 == -1 } && m.sum() == -15)
        let refDot = zip(a.storage, b.storage).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        #expect(abs(Double(a.dot(b)) - refDot) <= 1e-5)
        let refSquares = a.storage.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(Double(a.squaredNorm()) - refSquares) <= 1e-5 * refSquares)
    }

    @Test func shapeMismatchesTrap() async {
        await #expect(processExitsWith: .failure) {
            var out: [Float] = []
            rowDots(Matrix(rows: 2, columns: 3), Matrix(rows: 3, columns: 2), into: &out)
        }
        await #expect(processExitsWith: .failure) {
            var y = [Float](repeating: 0, count: 3)
            [Float](repeating: 1, count: 4).withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { axpy(1, x, $0) } }
        }
        await #expect(processExitsWith: .failure) {
            var y = [Float](repeating: 0, count: 3)
            [Float](repeating: 1, count: 4).withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { vectorExp(x, into: $0) } }
        }
    }
}
