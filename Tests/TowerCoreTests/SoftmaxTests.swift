import Foundation
import Testing
import TowerCore

/// Row-wise softmax and log-sum-exp against Double references, including huge, tiny and masked logits.
@Suite struct SoftmaxTests {
    static let kernels: [ExpKernel] = [.automatic, .portable, .avx2, .avx512]

    /// Double softmax and log-sum-exp of one row (max subtraction in Double).
    static func reference(_ row: [Float]) -> (probabilities: [Double], logSumExp: Double) {
        let x = row.map(Double.init)
        let m = x.max()!
        let e = x.map { Foundation.exp($0 - m) }
        let s = e.reduce(0, +)
        return (e.map { $0 / s }, m + Foundation.log(s))
    }

    /// Softmax and log-sum-exp of `values` as one `[rows, columns]` matrix, in and out of place.
    static func check(_ values: [Float], rows: Int, columns: Int, kernel: ExpKernel,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        let logits = Matrix(rows: rows, columns: columns, values: values)
        var probabilities = Matrix(rows: 1, columns: 1)
        softmaxRows(logits, into: &probabilities, kernel: kernel)
        var inPlace = logits
        var fusedLSE = [Float](repeating: .nan, count: rows)
        inPlace.withUnsafeMutableBufferPointer { p in
            fusedLSE.withUnsafeMutableBufferPointer {
                softmaxRows(inPlace: p, rows: rows, columns: columns, logSumExp: $0, kernel: kernel)
            }
        }
        var lse: [Float] = []
        logSumExpRows(logits, into: &lse, kernel: kernel)
        #expect(probabilities == inPlace, sourceLocation: sourceLocation)
        #expect(lse == fusedLSE, sourceLocation: sourceLocation)
        for r in 0..<rows {
            let (p, l) = reference(Array(values[r * columns ..< (r + 1) * columns]))
            for c in 0..<columns {
                #expect(abs(Double(probabilities[r, c]) - p[c]) <= 1e-6 * p[c] + 1e-12,
                        "row \(r) column \(c): \(probabilities[r, c]) vs \(p[c])", sourceLocation: sourceLocation)
            }
            #expect(abs(Double(lse[r]) - l) <= 1e-6 * max(1, abs(l)), "row \(r): \(lse[r]) vs \(l)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: kernels, [1, 7, 8, 9, 17, 33, 127])
    func randomRows(kernel: ExpKernel, columns: Int) {
        var rng = Xoshiro256(seed: UInt64(columns))
        let rows = 3
        let values = (0..<(rows * columns)).map { _ in Float.random(in: -10..<10, using: &rng) }
        Self.check(values, rows: rows, columns: columns, kernel: kernel)
    }

    @Test(arguments: kernels)
    func hugeAndTinyLogits(kernel: ExpKernel) {
        let big = Float.greatestFiniteMagnitude
        // Each row has 9 columns so the vector body and the tail are both used.
        let rows: [[Float]] = [
            [1e30, -1e30, 1e30, 0, 5, -5, 1e30, 1e29, -1e29],
            [big, -big, big / 2, 0, -1, big, 3, -big, 1],
            [-big, -big, -big, -big, -big, -big, -big, -big, -big + big / 1e7],
            [1e-30, -1e-30, 0, 1e-38, -1e-38, .leastNonzeroMagnitude, 2e-30, 0, 0],
            [-1e30 + 1e24, -1e30, -1e30 - 1e24, -1e30, -1e30, -1e30, -1e30, -1e30, -1e30],
            [80, 81, 82, 83, 84, 85, 86, 87, 88],
            [-200, -100, 0, 100, 200, -300, 300, 87, 88.8],
        ]
        Self.check(rows.flatMap { $0 }, rows: rows.count, columns: 9, kernel: kernel)
        // Reference values from Tests/TowerCoreTests/Reference/softmax_reference.py (NumPy, float64).
        var lse: [Float] = []
        logSumExpRows(Matrix(rows: 2, columns: 4, values: [1000, 1000, 1000, 1000, -1000, -1001, -1002, -1003]),
                      into: &lse, kernel: kernel)
        #expect(abs(Double(lse[0]) - 1001.3862943611199) <= 1e-4)
        #expect(abs(Double(lse[1]) - -999.5598103014388) <= 1e-4)
        var p = Matrix(rows: 1, columns: 1)
        softmaxRows(Matrix(rows: 1, columns: 4, values: [-1000, -1001, -1002, -1003]), into: &p, kernel: kernel)
        let want = [0.6439142598879724, 0.23688281808991013, 0.08714431874203257, 0.03205860328008499]
        for c in 0..<4 { #expect(abs(Double(p[0, c]) - want[c]) <= 1e-6 * want[c]) }
    }

    @Test(arguments: kernels)
    func masksAndSpecialRows(kernel: ExpKernel) {
        let inf = Float.infinity
        let values: [Float] = [
            -inf, 2, -inf, 0, -inf, -inf, 1, -inf, -inf,      // masked entries get exactly 0
            -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf, -inf,  // fully masked: zeros, lse -inf
            1, .nan, 2, 3, 4, 5, 6, 7, 8,                    // NaN: the whole row is NaN
            -inf, -inf, .nan, -inf, -inf, -inf, -inf, -inf, -inf,
        ]
        var m = Matrix(rows: 4, columns: 9, values: values)
        var lse = [Float](repeating: 0, count: 4)
        m.withUnsafeMutableBufferPointer { p in
            lse.withUnsafeMutableBufferPointer { softmaxRows(inPlace: p, rows: 4, columns: 9, logSumExp: $0, kernel: kernel) }
        }
        let (p, l) = Self.reference([2, 0, 1])
        #expect(m[0, 0] == 0 && m[0, 2] == 0 && m[0, 4] == 0 && m[0, 5] == 0 && m[0, 7] == 0 && m[0, 8] == 0)
        #expect(abs(Double(m[0, 1]) - p[0]) <= 1e-6 && abs(Double(m[0, 3]) - p[1]) <= 1e-6)
        #expect(abs(Double(m[0, 6]) - p[2]) <= 1e-6 && abs(Double(lse[0]) - l) <= 1e-6)
        #expect((0..<9).allSatisfy { m[1, $0] == 0 } && lse[1] == -.infinity)
        #expect((0..<9).allSatisfy { m[2, $0].isNaN } && lse[2].isNaN)
        #expect((0..<9).allSatisfy { m[3, $0].isNaN } && lse[3].isNaN)
        // Empty rows: nothing to write, log-sum-exp of an empty sum is -inf.
        var empty: [Float] = []
        logSumExpRows(Matrix(rows: 2, columns: 0), into: &empty, kernel: kernel)
        #expect(empty == [-.infinity, -.infinity])
        // A single-element vector: probability 1, log-sum-exp the element.
        var one: [Float] = [-3e38]
        let single = one.withUnsafeMutableBufferPointer { softmax(UnsafeBufferPointer($0), into: $0, kernel: kernel) }
        #expect(one == [1] && single == -3e38)
    }

    @Test func probabilitiesSumToOne() {
        var rng = Xoshiro256(seed: 99)
        var m = Matrix(rows: 16, columns: 1000,
                       values: (0..<16_000).map { _ in Float.random(in: -50..<50, using: &rng) })
        softmaxRows(&m)
        for r in 0..<16 {
            let total = (0..<1000).reduce(0.0) { $0 + Double(m[r, $1]) }
            #expect(abs(total - 1) <= 1e-5, "row \(r): \(total)")
        }
    }
}
