import Foundation
import Testing
import TowerCore
import TowerTestSupport

/// The bfloat16 scoring kernels: rounding to bfloat16, and scores equal to an independent
/// re-implementation of VDPBF16PS's arithmetic (each pair: the odd product added, then the even
/// one, each step rounded to Float) — the AVX512_BF16 kernel and the portable one alike, bit for
/// bit, over every row-tile shape (12, 8, 4, 2, 1 rows), ragged item counts, odd depths and
/// column ranges starting at later panels.
@Suite struct BFloat16MatrixTests {
    private static func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = Xoshiro256(seed: seed)
        return (0..<count).map { _ in Float.random(in: -1..<1, using: &rng) }
    }

    /// Round to nearest even at bit 16, derived by hand: bfloat16 keeps 7 fraction bits.
    @Test func roundingIsToNearestEven() {
        func bits(_ x: Float) -> UInt32 { BFloat16Matrix.rounded(x).bitPattern }
        #expect(bits(1) == 0x3f80_0000)
        #expect(bits(1 + 0x1p-8) == 0x3f80_0000)            // halfway between 1 and 1 + 2⁻⁷: to even (1)
        #expect(bits(1 + 3 * 0x1p-8) == 0x3f82_0000)        // halfway between 1 + 2⁻⁷ and 1 + 2⁻⁶: to even (1 + 2⁻⁶)
        #expect(bits(1 + 0x1p-8 + 0x1p-20) == 0x3f81_0000)  // just above halfway: up
        #expect(bits(1 + 0x1p-8 - 0x1p-20) == 0x3f80_0000)  // just below: down
        #expect(bits(-2.5) == Float(-2.5).bitPattern)       // exactly representable
        #expect(bits(-0.0) == Float(-0.0).bitPattern)
        #expect(BFloat16Matrix.rounded(.greatestFiniteMagnitude) == .infinity)  // past bfloat16's largest: overflows
        #expect(BFloat16Matrix.rounded(.infinity) == .infinity)
        #expect(BFloat16Matrix.rounded(.nan).isNaN)
        #expect(BFloat16Matrix.rounded(Float(bitPattern: 0x7f80_0001)).isNaN)  // a NaN whose payload is in the low bits stays NaN
        // Relative error at most 2⁻⁸ (half a unit in the 8th significant bit) on normal numbers.
        for x in Self.values(1000, seed: 5) where x != 0 {
            #expect(abs(BFloat16Matrix.rounded(x) - x) <= abs(x) * 0x1p-8)
        }
    }

    /// Scores by the instruction's arithmetic, in Swift, from the rounded values.
    static func reference(queries: [Float], m: Int, items: [Float], k: Int, columns: Range<Int>) -> [Float] {
        var out = [Float](repeating: 0, count: m * columns.count)
        for r in 0..<m {
            for (j, item) in columns.enumerated() {
                var acc: Float = 0
                var p = 0
                while p < k {
                    let odd: Float = p + 1 < k
                        ? BFloat16Matrix.rounded(queries[r * k + p + 1]) * BFloat16Matrix.rounded(items[item * k + p + 1]) : 0
                    acc = acc + odd
                    let even = BFloat16Matrix.rounded(queries[r * k + p]) * BFloat16Matrix.rounded(items[item * k + p])
                    acc = acc + even
                    p += 2
                }
                out[r * columns.count + j] = acc
            }
        }
        return out
    }

    @Test(arguments: [(m: 1, n: 5, k: 64), (m: 2, n: 32, k: 63), (m: 7, n: 70, k: 8), (m: 12, n: 33, k: 1),
                      (m: 27, n: 100, k: 64), (m: 13, n: 64, k: 17)])
    func scoresMatchTheReferenceOnEveryKernel(_ shape: (m: Int, n: Int, k: Int)) {
        let (m, n, k) = shape
        let items = Self.values(n * k, seed: UInt64(n * 13 + k))
        let queries = Self.values(m * k, seed: UInt64(m * 7 + k))
        var natives = [false]
        if BFloat16Matrix.cpuHasNativeKernel { natives.append(true) }
        for native in natives {
            let packed = BFloat16Matrix(packingItems: Matrix(rows: n, columns: k, values: items), native: native)
            #expect(packed.usesNativeKernel == native)
            let pairs = queries.withUnsafeBufferPointer { packed.packQueries($0.baseAddress!, rows: m, lda: k) }
            #expect(pairs.count == m * ((k + 1) / 2))
            for start in stride(from: 0, to: n, by: packed.panelWidth) {
                let columns = start ..< n
                var c = [Float](repeating: .nan, count: m * columns.count)
                pairs.withUnsafeBufferPointer { pp in
                    c.withUnsafeMutableBufferPointer { pc in
                        packed.scores(queries: pp.baseAddress!, rows: m, columns: columns, c: pc.baseAddress!, ldc: columns.count)
                    }
                }
                let expected = Self.reference(queries: queries, m: m, items: items, k: k, columns: columns)
                #expect(c.map(\.bitPattern) == expected.map(\.bitPattern), "native \(native) m \(m) n \(n) k \(k) from \(start)")
            }
        }
    }

    /// The bfloat16 score is within the rounding bound of the float32 dot product:
    /// |Σ qᵢxᵢ − Σ q̃ᵢx̃ᵢ| ≤ (2·2⁻⁸ + 2⁻¹⁶)·Σ|qᵢxᵢ| + float32 summation error.
    @Test func scoresAreCloseToFloat32() {
        let m = 5, n = 40, k = 64
        let items = Self.values(n * k, seed: 1), queries = Self.values(m * k, seed: 2)
        let packed = BFloat16Matrix(packingItems: Matrix(rows: n, columns: k, values: items))
        let pairs = queries.withUnsafeBufferPointer { packed.packQueries($0.baseAddress!, rows: m, lda: k) }
        var c = [Float](repeating: 0, count: m * n)
        pairs.withUnsafeBufferPointer { pp in
            c.withUnsafeMutableBufferPointer { packed.scores(queries: pp.baseAddress!, rows: m, columns: 0 ..< n, c: $0.baseAddress!, ldc: n) }
        }
        for r in 0..<m {
            for j in 0..<n {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<k {
                    exact += Double(queries[r * k + p]) * Double(items[j * k + p])
                    magnitude += abs(Double(queries[r * k + p]) * Double(items[j * k + p]))
                }
                #expect(abs(Double(c[r * n + j]) - exact) <= magnitude * (2 * 0x1p-8 + 0x1p-16 + Double(k) * 0x1p-24))
            }
        }
    }
}
