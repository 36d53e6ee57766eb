import Foundation
import TowerCore

/// A dataset with planted structure and its truth.
///
/// The law, exactly (all draws from `Xoshiro256`, seeded per block of 256 users from `seed`, so the
/// result does not depend on the thread count):
/// 1. Item popularity `p_i ∝ (i + 1)^(−s)` (item 0 most popular); item and user vectors have
///    i.i.d. `N(0, 1/f)` components (norms ≈ 1).
/// 2. User activity `n_u = clamp(round(c · exp(σ z_u)), minimumActivity, maximumActivity)`,
///    `z_u ~ N(0, 1)`, with `c` fitted so that Σ n_u ≈ `interactions` (a log-normal, heavy tail).
/// 3. For user `u`: draw a pool of `poolFactor · n_u` candidates i.i.d. from `p` (alias table);
///    with `c_i` the multiplicity of item `i` in the pool, draw `n_u` distinct items without
///    replacement with probability ∝ `c_i · exp(⟨u, i⟩ / τ)` (Plackett–Luce, by Gumbel-top-k:
///    each copy gets key `⟨u, i⟩/τ + Gumbel`, an item keeps its largest key, the `n_u` largest
///    keys win). As the pool grows, `c_i / pool → p_i`, so this is sequential sampling without
///    replacement ∝ `p_i · exp(⟨u, i⟩ / τ)`; the oracle ranking is `log p_i + ⟨u, i⟩ / τ`.
/// 4. The chosen items get a random order and increasing timestamps: a start uniform over a year
///    from 2020-01-01, then exponential gaps of mean one day.
public struct SyntheticDataset: Sendable {
    public var configuration: SyntheticConfiguration
    /// Users `"0"…"users-1"` and items `"0"…"items-1"` whose rows equal the generator indices.
    public var log: InteractionLog
    public var truth: SyntheticTruth

    public init(configuration: SyntheticConfiguration, log: InteractionLog, truth: SyntheticTruth) {
        self.configuration = configuration; self.log = log; self.truth = truth
    }

    /// Generates the dataset for `configuration` (about a second for the default size in release).
    public static func generate(_ configuration: SyntheticConfiguration = SyntheticConfiguration()) -> SyntheticDataset {
        let c = configuration
        precondition(c.users > 0 && c.items > 1 && c.factors > 0 && c.temperature > 0 && c.poolFactor > 0,
                     "SyntheticDataset: invalid configuration \(c)")
        precondition(c.minimumActivity >= 1 && c.maximumActivity >= c.minimumActivity && c.maximumActivity <= c.items,
                     "SyntheticDataset: activity bounds \(c.minimumActivity)…\(c.maximumActivity) for \(c.items) items")
        var rng = Xoshiro256(seed: c.seed)
        let f = c.factors
        let scale = 1 / Double(f).squareRoot()
        let userFactors = Matrix(rows: c.users, columns: f, values: (0..<(c.users * f)).map { _ in Float(standardNormal(&rng) * scale) })
        let itemFactors = Matrix(rows: c.items, columns: f, values: (0..<(c.items * f)).map { _ in Float(standardNormal(&rng) * scale) })
        let weights = (0..<c.items).map { pow(Double($0 + 1), -c.popularityExponent) }
        let total = weights.reduce(0, +)
        let logPopularity = weights.map { Float(Foundation.log($0 / total)) }
        let alias = AliasTable(weights: weights)

        // Activity: log-normal, scaled so the clamped sum is near the target.
        let raw = (0..<c.users).map { _ in exp(c.activitySigma * standardNormal(&rng)) }
        var factor = Double(c.interactions) / raw.reduce(0, +)
        var activity = [Int](repeating: 0, count: c.users)
        for _ in 0..<8 {
            var sum = 0
            for u in 0..<c.users {
                activity[u] = min(c.maximumActivity, max(c.minimumActivity, Int((raw[u] * factor).rounded())))
                sum += activity[u]
            }
            if abs(sum - c.interactions) <= c.interactions / 200 { break }
            factor *= Double(c.interactions) / Double(max(sum, 1))
        }
        var offsets = [Int](repeating: 0, count: c.users + 1)
        for u in 0..<c.users { offsets[u + 1] = offsets[u] + activity[u] }
        let capacity = offsets[c.users]
        let userActivity = activity, userOffsets = offsets

        var users = [Int32](repeating: 0, count: capacity)
        var items = [Int32](repeating: -1, count: capacity)
        var times = [Int64](repeating: 0, count: capacity)
        let blockSize = 256
        let blocks = (c.users + blockSize - 1) / blockSize
        let baseSeed = rng.next()
        users.withUnsafeMutableBufferPointer { usersOut in
            items.withUnsafeMutableBufferPointer { itemsOut in
                times.withUnsafeMutableBufferPointer { timesOut in
                    let out = SyntheticOutput(users: usersOut.baseAddress!, items: itemsOut.baseAddress!, times: timesOut.baseAddress!)
                    DispatchQueue.concurrentPerform(iterations: blocks) { block in
                        var worker = SyntheticWorker(configuration: c, alias: alias)
                        var blockRng = Xoshiro256(seed: baseSeed ^ (UInt64(block + 1) &* 0xD1B5_4A32_D192_ED03))
                        userFactors.withUnsafeBufferPointer { uf in
                            itemFactors.withUnsafeBufferPointer { vf in
                                for u in (block * blockSize) ..< min(c.users, (block + 1) * blockSize) {
                                    worker.drawUser(u, count: userActivity[u], at: userOffsets[u], userFactors: uf.baseAddress!,
                                                    itemFactors: vf.baseAddress!, out: out, rng: &blockRng)
                                }
                            }
                        }
                    }
                }
            }
        }
        // Drop unfilled slots (a pool with too few distinct items), keeping order.
        if items.contains(-1) {
            let keep = (0..<capacity).filter { items[$0] >= 0 }
            users = keep.map { users[$0] }; times = keep.map { times[$0] }; items = keep.map { items[$0] }
        }
        let interactionLog = InteractionLog(
            users: users, items: items, timestamps: times,
            userVocabulary: Vocabulary(name: "user", ids: (0..<c.users).map(String.init)),
            itemVocabulary: Vocabulary(name: "item", ids: (0..<c.items).map(String.init))).recounted()
        let truth = SyntheticTruth(userFactors: userFactors, itemFactors: itemFactors,
                                   itemLogPopularity: logPopularity, temperature: c.temperature)
        return SyntheticDataset(configuration: c, log: interactionLog, truth: truth)
    }
}

/// Raw output pointers shared by the generator's blocks (each block writes its own slots).
struct SyntheticOutput: @unchecked Sendable {
    let users: UnsafeMutablePointer<Int32>
    let items: UnsafeMutablePointer<Int32>
    let times: UnsafeMutablePointer<Int64>
}

/// Per-block scratch for drawing one user's items (allocated once per block).
struct SyntheticWorker {
    let configuration: SyntheticConfiguration
    let alias: AliasTable
    var slotOfItem: [Int32]
    var stampOfItem: [Int32]
    var keys: [Float] = []
    var candidates: [Int32] = []

    init(configuration: SyntheticConfiguration, alias: AliasTable) {
        self.configuration = configuration
        self.alias = alias
        slotOfItem = [Int32](repeating: 0, count: configuration.items)
        stampOfItem = [Int32](repeating: -1, count: configuration.items)
    }

    mutating func drawUser(_ u: Int, count n: Int, at offset: Int, userFactors: UnsafePointer<Float>,
                           itemFactors: UnsafePointer<Float>, out: SyntheticOutput, rng: inout Xoshiro256) {
        let f = configuration.factors
        let invT = 1 / configuration.temperature
        let uv = userFactors + u * f
        keys.removeAll(keepingCapacity: true)
        candidates.removeAll(keepingCapacity: true)
        let stamp = Int32(u)
        var draws = 0
        let target = n * configuration.poolFactor
        // Keep drawing until the pool is full and has enough distinct items (bounded).
        while (draws < target || candidates.count < n) && draws < 64 * target {
            let i = alias.draw(&rng)
            draws += 1
            let vi = itemFactors + i * f
            var dot: Float = 0
            for k in 0..<f { dot += uv[k] * vi[k] }
            let g = -logf(-logf(uniformOpenFloat(&rng)))
            let key = dot * invT + g
            if stampOfItem[i] == stamp {
                let s = Int(slotOfItem[i])
                if key > keys[s] { keys[s] = key }
            } else {
                stampOfItem[i] = stamp
                slotOfItem[i] = Int32(candidates.count)
                candidates.append(Int32(i)); keys.append(key)
            }
        }
        let m = min(n, candidates.count)
        selectLargest(m)
        // Random order, then increasing timestamps.
        var i = m - 1
        while i > 0 {
            let j = uniformIndex(i + 1, &rng)
            candidates.swapAt(i, j)
            i -= 1
        }
        var t = Int64(1_577_836_800) + Int64(uniformDouble(&rng) * 365 * 86_400)
        for k in 0..<m {
            t += 1 + Int64(-Foundation.log(1 - uniformDouble(&rng)) * 86_400)
            out.users[offset + k] = Int32(u)
            out.items[offset + k] = candidates[k]
            out.times[offset + k] = t
        }
    }

    /// Moves the `m` largest keys (and their candidates) to the front (quickselect).
    private mutating func selectLargest(_ m: Int) {
        var lo = 0, hi = keys.count - 1
        if m <= 0 || m >= keys.count { return }
        while lo < hi {
            let pivot = keys[(lo + hi) / 2]
            var i = lo, j = hi
            while i <= j {
                while keys[i] > pivot { i += 1 }
                while keys[j] < pivot { j -= 1 }
                if i <= j {
                    keys.swapAt(i, j); candidates.swapAt(i, j)
                    i += 1; j -= 1
                }
            }
            if m - 1 <= j { hi = j } else if m - 1 >= i { lo = i } else { return }
        }
    }
}
