import Testing
import TowerCore
import TowerTestSupport

/// The pre-packed product must equal the unpacked gemm on the same kernel bit for bit (packing
/// only copies values; each element keeps its FMA chain), for every kernel this CPU runs, over
/// column ranges that start on any panel boundary, ragged edges, depths past one k-block (512)
/// and transposed A — and the narrow edge kernels must equal the full-tile kernel's rows.
@Suite struct PackedMatrixTests {
    static var kernels: [GemmKernel] {
        var list: [GemmKernel] = [.portable]
        if GemmKernel.nativeName != "portable" { list.append(.avx2) }
        if GemmKernel.nativeName == "avx512" { list.append(.avx512) }
        return list
    }

    private static func values(_ count: Int, seed: UInt64) -> [Float] {
        var rng = Xoshiro256(seed: seed)
        return (0..<count).map { _ in Float.random(in: -1..<1, using: &rng) }
    }

    /// `C = alpha·op(A)·itemsᵀ[:, columns] + beta·C` through the packed path and through gemm.
    private static func compare(kernel: GemmKernel, m: Int, items: Int, k: Int, transA: Transpose,
                                columnsFrom panel: Int, beta: Float) -> (packed: [Float], plain: [Float], n: Int) {
        let b = Matrix(rows: items, columns: k, values: values(items * k, seed: UInt64(items * 31 + k)))
        let packed = PackedMatrix(packing: b, transpose: .transposed, kernel: kernel)
        let start = min(panel * packed.panelWidth, items - 1) / packed.panelWidth * packed.panelWidth
        let columns = start ..< items
        let n = columns.count
        let a = values(m * k, seed: UInt64(m * 7 + k))
        let lda = transA == .none ? k : m
        let c0 = values(m * n, seed: 99)
        var viaPacked = c0, viaPlain = c0
        a.withUnsafeBufferPointer { pa in
            viaPacked.withUnsafeMutableBufferPointer { pc in
                gemm(transA: transA, m: m, columns: columns, alpha: 0.5, a: pa.baseAddress!, lda: lda,
                     packedB: packed, beta: beta, c: pc.baseAddress!, ldc: n, threads: m > 24 ? 2 : 1)
            }
            b.withUnsafeBufferPointer { pb in
                viaPlain.withUnsafeMutableBufferPointer { pc in
                    gemm(transA: transA, transB: .transposed, m: m, n: n, k: k, alpha: 0.5, a: pa.baseAddress!,
                         lda: lda, b: pb.baseAddress! + start * k, ldb: k, beta: beta, c: pc.baseAddress!, ldc: n,
                         threads: m > 24 ? 2 : 1, kernel: kernel)
                }
            }
        }
        return (viaPacked, viaPlain, n)
    }

    @Test(arguments: kernels)
    func packedEqualsUnpackedBitForBit(kernel: GemmKernel) {
        let shapes: [(m: Int, items: Int, k: Int)] = [(1, 100, 64), (2, 33, 8), (3, 257, 64), (5, 70, 17),
                                                       (7, 64, 64), (13, 200, 40), (30, 90, 600), (1, 5000, 64)]
        for (m, items, k) in shapes {
            for transA in [Transpose.none, .transposed] {
                for panel in [0, 1, 3] {
                    for beta: Float in [0, 1.5] {
                        let r = Self.compare(kernel: kernel, m: m, items: items, k: k, transA: transA,
                                             columnsFrom: panel, beta: beta)
                        #expect(r.packed.map(\.bitPattern) == r.plain.map(\.bitPattern),
                                "\(kernel) m \(m) items \(items) k \(k) \(transA) panel \(panel) beta \(beta)")
                    }
                }
            }
        }
    }

    /// A product of 1…tile rows (the narrow edge kernels) equals the same rows of a product with
    /// a full tile's worth of rows, bit for bit, and is close to a Double reference.
    @Test(arguments: kernels)
    func narrowEdgeRowsEqualFullTileRows(kernel: GemmKernel) {
        let k = 64, n = 48, full = 12
        let a = Self.values(full * k, seed: 5), b = Self.values(n * k, seed: 6)
        func product(rows: Int) -> [Float] {
            var c = [Float](repeating: .nan, count: rows * n)
            gemm(transA: .none, transB: .transposed, m: rows, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: k,
                 beta: 0, c: &c, ldc: n, threads: 1, kernel: kernel)
            return c
        }
        let reference = product(rows: full)
        for rows in 1..<full {
            let c = product(rows: rows)
            #expect(c.map(\.bitPattern) == Array(reference.prefix(rows * n)).map(\.bitPattern), "\(kernel) rows \(rows)")
        }
        for i in 0..<full {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k { sum += Double(a[i * k + p]) * Double(b[j * k + p]) }
                #expect(abs(Double(reference[i * n + j]) - sum) < 1e-4)
            }
        }
    }

    @Test func panelWidthMatchesKernel() {
        let b = Matrix(rows: 3, columns: 2, values: [1, 2, 3, 4, 5, 6])
        #expect(PackedMatrix(packing: b, transpose: .transposed, kernel: .portable).panelWidth == 16)
        let native = PackedMatrix(packing: b, transpose: .none)
        #expect(native.panelWidth == (GemmKernel.nativeName == "avx512" ? 32 : 16))
        #expect(native.depth == 3 && native.columns == 2)
    }
}
