import Foundation
import Testing
import TowerCore

/// Random draws: determinism, moments within 5 standard errors of their estimators, and
/// chi-square goodness of fit for the discrete laws. Every test uses a fixed seed, so results are
/// reproducible; the tolerances are set so that a correct sampler fails with probability < 1e-4.
@Suite struct DistributionsTests {
    static let draws = 200_000

    /// Pearson's chi-square statistic of observed counts against expected probabilities.
    static func chiSquare(_ observed: [Int], _ probabilities: [Double]) -> Double {
        let total = Double(observed.reduce(0, +))
        var statistic = 0.0
        for (o, p) in zip(observed, probabilities) {
            let expected = total * p
            statistic += (Double(o) - expected) * (Double(o) - expected) / expected
        }
        return statistic
    }

    /// Chi-square threshold for `df` degrees of freedom: mean + 5 standard deviations.
    static func chiSquareLimit(degreesOfFreedom df: Int) -> Double {
        Double(df) + 5 * (2 * Double(df)).squareRoot()
    }

    static func meanAndVariance(_ values: [Double]) -> (Double, Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        return (mean, variance)
    }

    @Test func sameSeedSameSequence() {
        func sequence(seed: UInt64) -> [Double] {
            var rng = Xoshiro256(seed: seed)
            var out: [Double] = []
            for _ in 0..<20 {
                out.append(Double(rng.nextUnitFloat()))
                out.append(rng.nextUnitDouble())
                out.append(Double(rng.nextFloat(in: -3..<5)))
                out.append(Double(rng.nextIndex(below: 1000)))
                out.append(rng.nextBernoulli(probability: 0.5) ? 1 : 0)
                out.append(Double(rng.nextNormal()))
                out.append(Double(rng.nextTruncatedNormal(mean: 1, standardDeviation: 2)))
                out.append(Double(rng.nextLogUniform(below: 10_000)))
            }
            var indices = Array(0..<50)
            rng.shuffle(&indices)
            return out + indices.map(Double.init)
        }
        #expect(sequence(seed: 42) == sequence(seed: 42))
        #expect(sequence(seed: 42) != sequence(seed: 43))
    }

    @Test func uniformDraws() {
        var rng = Xoshiro256(seed: 1)
        var floats: [Double] = [], ranged: [Double] = []
        for _ in 0..<Self.draws {
            let u = rng.nextUnitFloat()
            #expect(u >= 0 && u < 1 && u * 0x1p24 == (u * 0x1p24).rounded())
            floats.append(Double(u))
            let r = rng.nextFloat(in: -3..<5)
            #expect(r >= -3 && r < 5)
            ranged.append(Double(r))
        }
        // Uniform [0, 1): mean 1/2, variance 1/12; standard error of the mean sqrt(1/12 / n).
        let (m, v) = Self.meanAndVariance(floats)
        #expect(abs(m - 0.5) <= 5 * (1.0 / 12 / Double(Self.draws)).squareRoot())
        // Variance of the sample variance of U(0,1): (1/80 − 1/144) / n.
        #expect(abs(v - 1.0 / 12) <= 5 * ((1.0 / 80 - 1.0 / 144) / Double(Self.draws)).squareRoot())
        let (mr, _) = Self.meanAndVariance(ranged)
        #expect(abs(mr - 1) <= 5 * (64.0 / 12 / Double(Self.draws)).squareRoot())
        // The excluded upper bound is never returned even when rounding would produce it.
        var edge = Xoshiro256(seed: 2)
        for _ in 0..<1000 { #expect(edge.nextFloat(in: 1..<1.0000001) < 1.0000001) }
    }

    @Test func indexDrawsAreUnbiased() {
        var rng = Xoshiro256(seed: 3)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 { counts[rng.nextIndex(below: 10)] += 1 }
        let statistic = Self.chiSquare(counts, [Double](repeating: 0.1, count: 10))
        #expect(statistic <= Self.chiSquareLimit(degreesOfFreedom: 9), "chi-square \(statistic)")
        #expect((0..<1000).allSatisfy { _ in rng.nextIndex(below: 1) == 0 })
    }

    @Test func bernoulliFrequency() {
        var rng = Xoshiro256(seed: 4)
        let p = 0.3
        let hits = (0..<Self.draws).reduce(0) { n, _ in n + (rng.nextBernoulli(probability: p) ? 1 : 0) }
        let frequency = Double(hits) / Double(Self.draws)
        #expect(abs(frequency - p) <= 5 * (p * (1 - p) / Double(Self.draws)).squareRoot())
        #expect(!(0..<1000).contains { _ in rng.nextBernoulli(probability: 0) })
        #expect((0..<1000).allSatisfy { _ in rng.nextBernoulli(probability: 1) })
    }

    @Test func normalMoments() {
        var rng = Xoshiro256(seed: 5)
        let n = Self.draws
        // Half from single draws, half from the pairwise fill.
        var values = (0..<(n / 2)).map { _ in Double(rng.nextNormal(mean: 2, standardDeviation: 3)) }
        var filled = [Float](repeating: .nan, count: n / 2 + 1)  // odd count: last pair half used
        filled.withUnsafeMutableBufferPointer { rng.fillNormal($0, mean: 2, standardDeviation: 3) }
        #expect(filled.allSatisfy { $0.isFinite })
        values += filled.map(Double.init)
        let (m, v) = Self.meanAndVariance(values)
        let count = Double(values.count)
        #expect(abs(m - 2) <= 5 * (9 / count).squareRoot(), "mean \(m)")
        // Var of the sample variance of N(μ, σ²) is 2σ⁴/n.
        #expect(abs(v - 9) <= 5 * (2 * 81 / count).squareRoot(), "variance \(v)")
        // P(|z| < 1) = 0.682689492 (shape check beyond the first two moments).
        let inside = values.filter { abs($0 - 2) < 3 }.count
        let p = 0.682689492137
        #expect(abs(Double(inside) / count - p) <= 5 * (p * (1 - p) / count).squareRoot())
    }

    @Test func truncatedNormalMoments() {
        var rng = Xoshiro256(seed: 6)
        var values = [Float](repeating: .nan, count: Self.draws)
        values.withUnsafeMutableBufferPointer { rng.fillTruncatedNormal($0, mean: -1, standardDeviation: 0.5) }
        #expect(values.allSatisfy { $0 >= -2 && $0 <= 0 }, "all draws within mean ± 2σ")
        let z = values.map { (Double($0) + 1) / 0.5 }
        let (m, v) = Self.meanAndVariance(z)
        // Standard normal truncated to [−2, 2]: Z = Φ(2) − Φ(−2), variance 1 − 2·2·φ(2)/Z = 0.7737413,
        // E[z⁴] = 3 − (2³ + 3·2)·2φ(2)/Z = 1.416184, so Var(z²) = 0.817502.
        let count = Double(z.count)
        #expect(abs(m) <= 5 * (0.7737413 / count).squareRoot(), "mean \(m)")
        #expect(abs(v - 0.7737413) <= 5 * (0.817502 / count).squareRoot(), "variance \(v)")
    }

    @Test func logUniformProbabilitiesAndFrequencies() {
        let law = LogUniformDistribution(range: 50)
        // The law, written independently: (log(c+2) − log(c+1)) / log(R+1).
        let probabilities = (0..<50).map { c in (Foundation.log(Double(c + 2)) - Foundation.log(Double(c + 1))) / Foundation.log(51.0) }
        for c in 0..<50 { #expect(abs(law.probability(of: c) - probabilities[c]) <= 1e-14) }
        #expect(abs(probabilities.reduce(0, +) - 1) <= 1e-12)
        var rng = Xoshiro256(seed: 7)
        var counts = [Int](repeating: 0, count: 50)
        for _ in 0..<Self.draws { counts[law.sample(using: &rng)] += 1 }
        let statistic = Self.chiSquare(counts, probabilities)
        #expect(statistic <= Self.chiSquareLimit(degreesOfFreedom: 49), "chi-square \(statistic)")
        // Large ranges: probabilities sum to 1 and every draw is in range.
        let big = LogUniformDistribution(range: 1_000_000)
        #expect(abs((0..<1_000_000).reduce(0.0) { $0 + big.probability(of: $1) } - 1) <= 1e-9)
        #expect((0..<10_000).allSatisfy { _ in (0..<1_000_000).contains(rng.nextLogUniform(below: 1_000_000)) })
        #expect((0..<100).allSatisfy { _ in rng.nextLogUniform(below: 1) == 0 })
    }

    @Test func zipfProbabilitiesAndFrequencies() {
        let zipf = ZipfDistribution(count: 20, exponent: 1.1)
        let weights = (1...20).map { Foundation.pow(Double($0), -1.1) }
        let total = weights.reduce(0, +)
        let probabilities = weights.map { $0 / total }
        for k in 1...20 { #expect(abs(zipf.probability(ofRank: k) - probabilities[k - 1]) <= 1e-14) }
        var rng = Xoshiro256(seed: 8)
        var counts = [Int](repeating: 0, count: 20)
        for _ in 0..<Self.draws { counts[zipf.sample(using: &rng) - 1] += 1 }
        let statistic = Self.chiSquare(counts, probabilities)
        #expect(statistic <= Self.chiSquareLimit(degreesOfFreedom: 19), "chi-square \(statistic)")
        // Many ranks: the first 30 ranks and the rest as one bin.
        let wide = ZipfDistribution(count: 5000, exponent: 0.8)
        var wideCounts = [Int](repeating: 0, count: 31)
        for _ in 0..<Self.draws {
            let rank = wide.sample(using: &rng)
            #expect(rank >= 1 && rank <= 5000)
            wideCounts[min(rank, 31) - 1] += 1
        }
        let wideWeights = (1...5000).map { Foundation.pow(Double($0), -0.8) }
        let wideTotal = wideWeights.reduce(0, +)
        var bins = wideWeights[0..<30].map { $0 / wideTotal }
        bins.append(1 - bins.reduce(0, +))
        let wideStatistic = Self.chiSquare(wideCounts, bins)
        #expect(wideStatistic <= Self.chiSquareLimit(degreesOfFreedom: 30), "chi-square \(wideStatistic)")
        // Exponent 0 is uniform; a single rank is always 1.
        let uniform = ZipfDistribution(count: 4, exponent: 0)
        #expect((1...4).allSatisfy { abs(uniform.probability(ofRank: $0) - 0.25) <= 1e-15 })
        let single = ZipfDistribution(count: 1, exponent: 2)
        #expect((0..<100).allSatisfy { _ in single.sample(using: &rng) == 1 })
    }

    @Test func shuffleIsAUniformPermutation() {
        var rng = Xoshiro256(seed: 9)
        // All 6 orders of three elements equally often.
        var counts = [Int](repeating: 0, count: 6)
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]
        for _ in 0..<60_000 {
            var values = [0, 1, 2]
            rng.shuffle(&values)
            counts[orders.firstIndex(of: values)!] += 1
        }
        let statistic = Self.chiSquare(counts, [Double](repeating: 1.0 / 6, count: 6))
        #expect(statistic <= Self.chiSquareLimit(degreesOfFreedom: 5), "chi-square \(statistic)")
        // A long buffer stays a permutation; the buffer and array forms agree for one seed.
        var a = Array(0..<1001), b = Array(0..<1001)
        var r1 = Xoshiro256(seed: 10), r2 = Xoshiro256(seed: 10)
        r1.shuffle(&a)
        b.withUnsafeMutableBufferPointer { r2.shuffle($0) }
        #expect(a == b && a.sorted() == Array(0..<1001) && a != Array(0..<1001))
        var empty: [Int] = [], one = [7]
        rng.shuffle(&empty)
        rng.shuffle(&one)
        #expect(empty.isEmpty && one == [7])
    }
}
