import TowerCore

/// Streaming estimate of each item's per-step sampling probability (Yi et al., RecSys 2019,
/// Algorithms 2 and 3), used for logQ correction of in-batch softmax.
///
/// For every hash `h_i` (of `numHashes`) it keeps two arrays of `hashSize` buckets: `A`, the last
/// global step a bucket was hit, and `B`, an exponential moving average of the gap between hits.
/// On each step `t` (one call to ``update(ids:)``), for every distinct bucket `h` hit by the
/// batch: `B[h] ← (1−α)·B[h] + α·(t − A[h])`, `A[h] ← t`. The estimate is
/// `p̂(y) = 1 / max_i B_i[h_i(y)]`: the probability that `y` appears in a batch (it saturates at 1
/// for an item in every batch; it is not an expected count). A batch counts as a set (a repeated
/// id, or two ids sharing a bucket, is one hit of that bucket in that step), as in the paper.
///
/// **Warm start (our addition).** The paper's EMA starts every bucket at `initialGap`, so a rare
/// item needs ~1/α hits before its estimate leaves that arbitrary value — most of a short
/// training run. Here the n-th hit of a bucket uses `α_n = max(α, 1/n)`: the first gap replaces
/// the initial value and the first ~1/α gaps are averaged equally (the running mean), after which
/// it is the paper's EMA. Steady-state behaviour and tracking are unchanged.
///
/// Collisions merge items' hits, shortening gaps and over-estimating `p̂`; taking the max gap
/// over several independent hashes limits that (count-min-sketch style). A larger α adapts faster
/// to popularity shifts at the price of more variance: the EMA's relative standard deviation is
/// about `√(α(1−p)/2)` of the true mean gap.
///
/// Storage: `numHashes × hashSize` `Int` and `Float`, allocated once. No allocation per update.
public final class FrequencyEstimator {
    public let hashSize: Int
    public let numHashes: Int
    public let learningRate: Float
    public let initialGap: Float
    /// Count every occurrence in a batch (the estimate becomes the expected count per step, the
    /// `q` of sampled softmax with replacement) instead of one hit per bucket and step (the
    /// paper's inclusion probability, which saturates at 1 for items in most batches).
    public let countsOccurrences: Bool
    /// Global steps seen (number of ``update(ids:)`` calls).
    public internal(set) var step = 0
    var lastStep: [Int]
    var gap: [Float]
    var hits: [Int32]
    private let seeds: [UInt64]

    /// - Parameters:
    ///   - hashSize: buckets per hash (`H`).
    ///   - numHashes: independent hashes (`m`); the estimate takes the max gap.
    ///   - learningRate: α in `(0, 1]`.
    ///   - initialGap: starting value of every `B` bucket (the paper's simulation uses 100), so an
    ///     unseen item is estimated at `1 / initialGap`.
    ///   - seed: seeds the hash functions.
    ///   - countsOccurrences: see ``countsOccurrences``; each further occurrence in the same step
    ///     is an arrival with gap 0.
    public init(hashSize: Int, numHashes: Int = 1, learningRate: Float = 0.01, initialGap: Float = 100, seed: UInt64 = 0,
                countsOccurrences: Bool = false) {
        precondition(hashSize >= 1 && numHashes >= 1, "FrequencyEstimator: hashSize \(hashSize) and numHashes \(numHashes) must be >= 1")
        precondition(learningRate > 0 && learningRate <= 1, "FrequencyEstimator: learningRate must be in (0, 1], got \(learningRate)")
        precondition(initialGap >= 1, "FrequencyEstimator: initialGap must be >= 1, got \(initialGap)")
        self.hashSize = hashSize
        self.numHashes = numHashes
        self.learningRate = learningRate
        self.initialGap = initialGap
        self.countsOccurrences = countsOccurrences
        lastStep = [Int](repeating: 0, count: hashSize * numHashes)
        gap = [Float](repeating: initialGap, count: hashSize * numHashes)
        hits = [Int32](repeating: 0, count: hashSize * numHashes)
        var mix = SplitMix64(seed: seed ^ 0x5EED_F00D)
        seeds = (0..<numHashes).map { _ in mix.next() }
    }

    @inline(__always)
    private static func bucket(_ id: Int, seed: UInt64, size: Int) -> Int {
        var z = UInt64(bitPattern: Int64(id)) ^ seed
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z.multipliedFullWidth(by: UInt64(size)).high)
    }

    /// Advances the global step and records the hits of one batch's item ids.
    public func update<C: Collection>(ids: C) where C.Element == Int {
        step += 1
        let t = step, h = hashSize, alpha = learningRate, occurrences = countsOccurrences
        lastStep.withUnsafeMutableBufferPointer { a in
            gap.withUnsafeMutableBufferPointer { b in
                hits.withUnsafeMutableBufferPointer { n in
                    for i in 0..<numHashes {
                        let seed = seeds[i], base = i * h
                        for id in ids {
                            let k = base + Self.bucket(id, seed: seed, size: h)
                            if a[k] == t && !occurrences { continue }
                            if n[k] < Int32.max { n[k] += 1 }
                            let rate = max(alpha, 1 / Float(n[k]))
                            b[k] = (1 - rate) * b[k] + rate * Float(t - a[k])
                            a[k] = t
                        }
                    }
                }
            }
        }
    }

    /// `p̂(id) = 1 / max_i B_i[h_i(id)]`: the estimated probability that `id` is in a batch, or its
    /// expected count per batch with ``countsOccurrences``.
    public func estimate(_ id: Int) -> Float {
        var worst: Float = 0
        for i in 0..<numHashes { worst = max(worst, gap[i * hashSize + Self.bucket(id, seed: seeds[i], size: hashSize)]) }
        return 1 / worst
    }

    /// Estimates for many ids, written into `out` (resized to `ids.count`, capacity reused).
    public func estimate<C: Collection>(ids: C, into out: inout [Float]) where C.Element == Int {
        out.removeAll(keepingCapacity: true)
        for id in ids { out.append(estimate(id)) }
    }
}
