import Testing
import TowerCore
import TowerTestSupport

/// C = alpha·op(A)·op(B) + beta·C with Double accumulation, on row-major storage with strides.
/// beta == 0 ignores C (NaN included), as gemm promises.
private func referenceGemm(
    _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, alpha: Float,
    a: [Float], lda: Int, b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int
) -> [Float] {
    var out = c
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            // Contiguous strides along p make the debug-build loop cheap.
            let (aRow, aStep) = transA == .none ? (lda, 1) : (1, lda)
            let (bColumn, bStep) = transB == .none ? (1, ldb) : (ldb, 1)
            for i in 0..<m {
                for j in 0..<n {
                    var sum = 0.0
                    var pa = i * aRow, pb = j * bColumn
                    for _ in 0..<k {
                        sum += Double(a[pa]) * Double(b[pb])
                        pa += aStep
                        pb += bStep
                    }
                    let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
                    out[i * ldc + j] = Float(Double(alpha) * sum + old)
                }
            }
        }
    }
    return out
}

private func randomValues(_ count: Int, seed: UInt64) -> [Float] {
    var rng = Xoshiro256(seed: seed)
    return (0..<count).map { _ in Float.random(in: -1..<1, using: &rng) }
}

/// One problem: op(A) m×k, op(B) k×n, stored with row strides padded by `pad` elements.
struct GemmProblem: Sendable, CustomTestStringConvertible {
    var m: Int, n: Int, k: Int
    var transA: Transpose = .none, transB: Transpose = .none
    var alpha: Float = 1, beta: Float = 0
    var pad = 0
    var testDescription: String {
        "\(transA == .none ? "N" : "T")\(transB == .none ? "N" : "T") m\(m) n\(n) k\(k) α\(alpha) β\(beta) pad\(pad)"
    }

    /// Runs gemm through the raw-pointer overload and the reference; returns (ours, reference).
    func run(threads: Int? = 1, kernel: GemmKernel = .native, nanC: Bool = false, seed: UInt64 = 1)
        -> (ours: [Float], reference: [Float]) {
        let lda = (transA == .none ? k : m) + pad
        let ldb = (transB == .none ? n : k) + pad
        let ldc = n + pad
        let a = randomValues((transA == .none ? m : k) * lda, seed: seed)
        let b = randomValues((transB == .none ? k : n) * ldb, seed: seed + 1)
        var c = randomValues(m * ldc, seed: seed + 2)
        if nanC { c = c.map { _ in .nan } }
        // Padding columns of C must stay untouched: mark them.
        for i in 0..<m { for j in n..<ldc { c[i * ldc + j] = 12345 } }
        let reference = referenceGemm(transA, transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        var ours = c
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                ours.withUnsafeMutableBufferPointer { pc in
                    gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                         a: pa.baseAddress, lda: lda, b: pb.baseAddress, ldb: ldb, beta: beta,
                         c: pc.baseAddress, ldc: ldc, threads: threads, kernel: kernel)
                }
            }
        }
        return (ours, reference)
    }
}

private let ops: [(Transpose, Transpose)] = [
    (.none, .none), (.none, .transposed), (.transposed, .none), (.transposed, .transposed),
]

/// Shapes with every small edge size and a few hundred, mixed across m, n, k.
private let shapes: [(Int, Int, Int)] = [
    (1, 1, 1), (7, 8, 9), (8, 9, 7), (9, 7, 8), (17, 31, 33), (31, 33, 17), (33, 17, 31),
    (127, 1, 64), (1, 127, 31), (6, 16, 1), (12, 32, 8), (127, 33, 127), (290, 130, 70),
    (289, 17, 530), (7, 4100, 9),
]

private func problems(_ shapes: [(Int, Int, Int)]) -> [GemmProblem] {
    ops.flatMap { op in
        shapes.map { s in GemmProblem(m: s.0, n: s.1, k: s.2, transA: op.0, transB: op.1) }
    }
}

/// Float rounding grows with the depth k; a wrong or missing term would be off by ~1e-1.
private func tolerance(_ k: Int) -> Float { 2e-7 * Float(max(k, 16)) }

@Suite struct GemmTests {
    /// The C kernels; on CPUs without AVX-512 (or AVX2) these fall back, and still must be right.
    @Test(arguments: problems(shapes), [GemmKernel.avx2, .avx512])
    func cKernelsMatchReference(_ problem: GemmProblem, _ kernel: GemmKernel) {
        let result = problem.run(kernel: kernel)
        #expect(maxScaledDifference(result.ours, result.reference) < tolerance(problem.k))
    }

    @Test(arguments: problems([(1, 1, 1), (7, 8, 9), (9, 17, 8), (17, 31, 33), (33, 127, 31),
                               (127, 9, 17), (40, 50, 520)]))
    func portableKernelMatchesReference(_ problem: GemmProblem) {
        let result = problem.run(kernel: .portable)
        #expect(maxScaledDifference(result.ours, result.reference) < tolerance(problem.k))
    }

    @Test(arguments: [GemmKernel.avx2, .avx512, .portable])
    func alphaBetaAndPaddedStrides(_ kernel: GemmKernel) {
        for op in ops {
            for (m, n, k) in [(33, 31, 17), (13, 40, 530), (6, 16, 5)] {
                for pad in [0, 3] {
                    let problem = GemmProblem(m: m, n: n, k: k, transA: op.0, transB: op.1,
                                              alpha: -0.5, beta: 0.75, pad: pad)
                    let result = problem.run(kernel: kernel)
                    #expect(maxScaledDifference(result.ours, result.reference) < tolerance(problem.k),
                            "\(problem.testDescription)")
                }
            }
        }
    }

    @Test(arguments: [GemmKernel.avx2, .avx512, .portable])
    func betaZeroIgnoresNaNInC(_ kernel: GemmKernel) {
        for op in ops {
            // k > kc: later depth blocks accumulate onto the first one, which must not read NaN.
            for (m, n, k) in [(19, 23, 11), (12, 32, 520), (25, 33, 400)] {
                let problem = GemmProblem(m: m, n: n, k: k, transA: op.0, transB: op.1, alpha: 2, pad: 2)
                let result = problem.run(kernel: kernel, nanC: true)
                #expect(result.ours.allSatisfy { !$0.isNaN }, "\(problem.testDescription)")
                #expect(maxScaledDifference(result.ours, result.reference) < tolerance(problem.k),
                        "\(problem.testDescription)")
            }
        }
    }

    @Test(arguments: [GemmKernel.avx2, .avx512, .portable])
    func twoThreadsEqualOneThread(_ kernel: GemmKernel) {
        for op in ops {
            let problem = GemmProblem(m: 203, n: 70, k: 45, transA: op.0, transB: op.1, beta: 0.5, pad: 1)
            let single = problem.run(threads: 1, kernel: kernel)
            let double = problem.run(threads: 2, kernel: kernel)
            // Row blocks start on tile boundaries, so every element is computed identically.
            #expect(single.ours == double.ours, "\(problem.testDescription)")
            #expect(maxScaledDifference(double.ours, double.reference) < tolerance(problem.k))
        }
    }

    @Test func defaultThreadingOnLargeProblem() {
        // 128³ = 2²¹ multiply-adds: the automatic choice takes the 2-thread path.
        let problem = GemmProblem(m: 128, n: 128, k: 128, transA: .transposed, transB: .none)
        let automatic = problem.run(threads: nil, kernel: .native)
        #expect(maxScaledDifference(automatic.ours, automatic.reference) < tolerance(problem.k))
        #expect(automatic.ours == problem.run(threads: 1, kernel: .native).ours)
    }

    @Test(arguments: [GemmKernel.automatic, .native, .portable])
    func emptyDepthScalesC(_ kernel: GemmKernel) {
        for beta: Float in [0, 0.5] {
            let problem = GemmProblem(m: 5, n: 9, k: 0, alpha: 3, beta: beta, pad: 1)
            let result = problem.run(kernel: kernel, nanC: beta == 0)
            #expect(result.ours == result.reference)
        }
        let alphaZero = GemmProblem(m: 8, n: 20, k: 7, alpha: 0, beta: 0.25)
        let result = alphaZero.run(kernel: kernel)
        #expect(result.ours == result.reference)
    }

    @Test func matrixOverloadAllTranspositions() {
        let (m, n, k) = (21, 11, 13)
        for op in ops {
            let a = op.0 == .none ? randomMatrix(rows: m, columns: k, seed: 7) : randomMatrix(rows: k, columns: m, seed: 7)
            let b = op.1 == .none ? randomMatrix(rows: k, columns: n, seed: 8) : randomMatrix(rows: n, columns: k, seed: 8)
            var c = Matrix(rows: m, columns: n, repeating: .nan)
            gemm(op.0, op.1, alpha: 1.5, a, b, into: &c)
            let reference = referenceGemm(op.0, op.1, m: m, n: n, k: k, alpha: 1.5, a: a.storage,
                                          lda: a.columns, b: b.storage, ldb: b.columns, beta: 0,
                                          c: c.storage, ldc: n)
            #expect(maxScaledDifference(c.storage, reference) < tolerance(k))
        }
    }

    @Test func openBLASMatchesReferenceWhenBuiltWithTrait() {
        guard GemmKernel.openBLASAvailable else {
            #expect(GemmKernel.openBLASCoreName == nil)
            return
        }
        for op in ops {
            let problem = GemmProblem(m: 37, n: 29, k: 41, transA: op.0, transB: op.1, beta: 0.5, pad: 2)
            let result = problem.run(kernel: .openBLAS)
            #expect(maxScaledDifference(result.ours, result.reference) < tolerance(problem.k))
        }
    }
}
