import RealModule

// Draws from the distributions TwoTower needs, on any `RandomNumberGenerator` (use `Xoshiro256`).
//
// Every draw is a fixed function of the generator's 64-bit outputs (no stdlib `random(in:)`,
// whose algorithm may change), so the same seed gives the same values on every platform and
// Swift version.

extension RandomNumberGenerator {
    /// A uniform `Float` in `[0, 1)` from the top 24 bits of one output (every multiple of 2⁻²⁴).
    @inlinable
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A uniform `Double` in `[0, 1)` from the top 53 bits of one output.
    @inlinable
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform `Float` in `range` (`lowerBound` included, `upperBound` excluded).
    /// - Precondition: the range is finite and not empty.
    @inlinable
    public mutating func nextFloat(in range: Range<Float>) -> Float {
        precondition(!range.isEmpty && range.lowerBound.isFinite && range.upperBound.isFinite,
                     "nextFloat(in:): range \(range) must be finite and not empty")
        let value = range.lowerBound + (range.upperBound - range.lowerBound) * nextUnitFloat()
        // Rounding can land on the excluded upper bound.
        return value < range.upperBound ? value : range.upperBound.nextDown
    }

    /// A uniform integer in `0..<count`, without modulo bias (Lemire's multiply-and-reject).
    /// - Precondition: `count > 0`.
    @inlinable
    public mutating func nextIndex(below count: Int) -> Int {
        precondition(count > 0, "nextIndex(below:): count must be positive, got \(count)")
        let bound = UInt64(count)
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return Int(product.high)
    }

    /// `true` with probability `probability` (compared against a 53-bit uniform).
    /// - Precondition: `0 <= probability <= 1`.
    @inlinable
    public mutating func nextBernoulli(probability: Double) -> Bool {
        precondition(probability >= 0 && probability <= 1,
                     "nextBernoulli: probability must be in [0, 1], got \(probability)")
        return nextUnitDouble() < probability
    }

    /// A normal draw with the given mean and standard deviation (one value of
    /// ``nextStandardNormalPair()``, the other discarded).
    @inlinable
    public mutating func nextNormal(mean: Float = 0, standardDeviation: Float = 1) -> Float {
        let (z, _) = nextStandardNormalPair()
        return mean + standardDeviation * Float(z)
    }

    /// A normal draw restricted to `mean ± 2·standardDeviation`: draws beyond two standard
    /// deviations are discarded and redrawn, as TensorFlow's `truncated_normal` does.
    ///
    /// The result's standard deviation is about `0.87962566 · standardDeviation`
    /// (variance factor 0.7737413).
    @inlinable
    public mutating func nextTruncatedNormal(mean: Float = 0, standardDeviation: Float = 1) -> Float {
        while true {
            let (z0, z1) = nextStandardNormalPair()
            if abs(z0) <= 2 { return mean + standardDeviation * Float(z0) }
            if abs(z1) <= 2 { return mean + standardDeviation * Float(z1) }
        }
    }

    /// Two independent standard normal draws (Marsaglia's polar method in `Double`: a point
    /// uniform in the unit disc from two 53-bit uniforms, redrawn when outside; no trigonometry).
    @inlinable
    public mutating func nextStandardNormalPair() -> (Double, Double) {
        while true {
            let u = 2 * nextUnitDouble() - 1
            let v = 2 * nextUnitDouble() - 1
            let s = u * u + v * v
            if s < 1 && s > 0 {
                let factor = (-2 * Double.log(s) / s).squareRoot()
                return (u * factor, v * factor)
            }
        }
    }

    /// Fills `values` with uniform draws from `range` (one output per element).
    @inlinable
    public mutating func fillUniform(_ values: UnsafeMutableBufferPointer<Float>, in range: Range<Float>) {
        for i in 0..<values.count { values[i] = nextFloat(in: range) }
    }

    /// Fills `values` with normal draws, both values of each ``nextStandardNormalPair()`` used.
    @inlinable
    public mutating func fillNormal(
        _ values: UnsafeMutableBufferPointer<Float>, mean: Float = 0, standardDeviation: Float = 1
    ) {
        var i = 0
        while i < values.count {
            let (z0, z1) = nextStandardNormalPair()
            values[i] = mean + standardDeviation * Float(z0)
            if i + 1 < values.count { values[i + 1] = mean + standardDeviation * Float(z1) }
            i += 2
        }
    }

    /// Fills `values` with ``nextTruncatedNormal(mean:standardDeviation:)`` draws.
    @inlinable
    public mutating func fillTruncatedNormal(
        _ values: UnsafeMutableBufferPointer<Float>, mean: Float = 0, standardDeviation: Float = 1
    ) {
        for i in 0..<values.count { values[i] = nextTruncatedNormal(mean: mean, standardDeviation: standardDeviation) }
    }

    /// A draw from `0..<range` under the log-uniform (Zipf-like) law of TensorFlow's
    /// `log_uniform_candidate_sampler`; see ``LogUniformDistribution``.
    /// - Precondition: `range > 0`.
    @inlinable
    public mutating func nextLogUniform(below range: Int) -> Int {
        LogUniformDistribution(range: range).sample(using: &self)
    }

    /// Shuffles `values` in place (Fisher–Yates, `count − 1` draws of ``nextIndex(below:)``, no allocation).
    @inlinable
    public mutating func shuffle<Element>(_ values: UnsafeMutableBufferPointer<Element>) {
        var i = values.count - 1
        while i > 0 {
            let j = nextIndex(below: i + 1)
            values.swapAt(i, j)
            i -= 1
        }
    }

    /// Shuffles `values` in place (Fisher–Yates; the same permutation as the buffer form).
    @inlinable
    public mutating func shuffle<Element>(_ values: inout [Element]) {
        values.withUnsafeMutableBufferPointer { shuffle($0) }
    }
}

/// The log-uniform law over `0..<range` of TensorFlow's `log_uniform_candidate_sampler`
/// (and of Merlin's `PopularityBasedSampler`): class ids are assumed sorted by decreasing
/// frequency, and
///
/// ```
/// P(c) = (log(c + 2) − log(c + 1)) / log(range + 1),   c in 0..<range
/// ```
///
/// Sampling: `c = floor(exp(u · log(range + 1))) − 1` with `u` uniform in `[0, 1)` (53 bits),
/// which has exactly that law (up to rounding at bin edges, clamped to `range − 1`).
public struct LogUniformDistribution: Sendable, Equatable {
    /// Number of classes; ids are `0..<range`.
    public let range: Int
    /// `log(range + 1)`.
    public let logRange: Double

    /// - Precondition: `range > 0`.
    @inlinable
    public init(range: Int) {
        precondition(range > 0, "LogUniformDistribution: range must be positive, got \(range)")
        self.range = range
        self.logRange = Double.log(Double(range) + 1)
    }

    /// One id in `0..<range`.
    @inlinable
    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> Int {
        let value = Int(Double.exp(generator.nextUnitDouble() * logRange)) - 1
        return value < range ? (value < 0 ? 0 : value) : range - 1
    }

    /// The exact probability of drawing `id`: `(log(id + 2) − log(id + 1)) / log(range + 1)`,
    /// computed as `log1p(1 / (id + 1)) / log(range + 1)` for accuracy at large ids.
    /// - Precondition: `0 <= id < range`.
    @inlinable
    public func probability(of id: Int) -> Double {
        precondition(id >= 0 && id < range, "LogUniformDistribution: id \(id) outside 0..<\(range)")
        return Double.log(onePlus: 1 / (Double(id) + 1)) / logRange
    }
}

/// The Zipf law over ranks `1...count` with exponent `s`: `P(k) = k^(−s) / Σ_j j^(−s)`.
///
/// Holds the cumulative distribution (for ``probability(ofRank:)``) and Walker/Vose alias tables
/// (`3 · count` words in all); a draw takes O(1): two generator outputs, no search.
public struct ZipfDistribution: Sendable {
    /// Number of ranks.
    public let count: Int
    /// The exponent `s` (≥ 0; 0 is uniform).
    public let exponent: Double
    /// `cumulative[k − 1] = P(rank ≤ k)`; the last entry is exactly 1.
    public let cumulative: [Double]
    /// Alias method: column `i` keeps rank `i + 1` with probability `keep[i]`, else `alias[i] + 1`.
    @usableFromInline let keep: [Double]
    @usableFromInline let alias: [Int]

    /// - Precondition: `count > 0`, `exponent >= 0` and finite.
    public init(count: Int, exponent: Double) {
        precondition(count > 0, "ZipfDistribution: count must be positive, got \(count)")
        precondition(exponent >= 0 && exponent.isFinite,
                     "ZipfDistribution: exponent must be finite and ≥ 0, got \(exponent)")
        self.count = count
        self.exponent = exponent
        var weights = [Double](repeating: 0, count: count)
        var total = 0.0
        for k in 0..<count {
            weights[k] = Double.pow(Double(k + 1), -exponent)
            total += weights[k]
        }
        var table = [Double](repeating: 0, count: count)
        var running = 0.0
        for k in 0..<count {
            running += weights[k]
            table[k] = running / total
        }
        table[count - 1] = 1
        cumulative = table
        // Vose's alias construction on the scaled probabilities n·p (deterministic order).
        var scaled = weights.map { $0 / total * Double(count) }
        var keep = [Double](repeating: 1, count: count)
        var alias = Array(0..<count)
        var small: [Int] = [], large: [Int] = []
        for i in 0..<count { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.last {
            keep[s] = scaled[s]
            alias[s] = l
            scaled[l] = (scaled[l] + scaled[s]) - 1
            if scaled[l] < 1 { large.removeLast(); small.append(l) }
        }
        // Leftovers (from rounding) keep their own column with probability 1.
        self.keep = keep
        self.alias = alias
    }

    /// The probability of rank `rank` (in `1...count`).
    public func probability(ofRank rank: Int) -> Double {
        precondition(rank >= 1 && rank <= count, "ZipfDistribution: rank \(rank) outside 1...\(count)")
        return rank == 1 ? cumulative[0] : cumulative[rank - 1] - cumulative[rank - 2]
    }

    /// One rank in `1...count` (rank 1 is the most probable).
    @inlinable
    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> Int {
        let column = generator.nextIndex(below: count)
        let u = generator.nextUnitDouble()
        return (u < keep[column] ? column : alias[column]) + 1
    }
}
