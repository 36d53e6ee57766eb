import Foundation
import TowerCore

/// A dataset with planted structure and its truth.
///
/// The law, exactly (all draws from `Xoshiro256`, seeded per block of 64 users from `seed`, so the
/// result does not depend on the thread count):
/// 1. Item popularity `p_i ∝ (i + 1)^(−s)` (item 0 most popular); item and user vectors have
///    i.i.d. `N(0, 1/f)` components (norms ≈ 1).
/// 2. User activity `n_u = clamp(round(c · exp(σ z_u)), minimumActivity, maximumActivity)`,
///    `z_u ~ N(0, 1)`, with `c` fitted so that Σ n_u ≈ `interactions` (a log-normal, heavy tail).
/// 3. For user `u`: the weights `w_i = p_i · exp(⟨u, i⟩ / τ)` are computed for every item (the
///    exponent clamped to [−87, 80] for Float range), and `n_u` distinct items are drawn by
///    sequential sampling without replacement ∝ `w` (draw ∝ `w`, redraw an item already chosen),
///    i.e. exactly the Plackett–Luce law. The oracle ranking `log p_i + ⟨u, i⟩ / τ` orders each
///    user's items by their weights: it is the Bayes-optimal ranking for this law.
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
        precondition(c.users > 0 && c.items > 1 && c.factors > 0 && c.temperature > 0,
                     "SyntheticDataset: invalid configuration \(c)")
        precondition(c.minimumActivity >= 1 && c.maximumActivity >= c.minimumActivity && c.maximumActivity <= c.items,
                     "SyntheticDataset: activity bounds \(c.minimumActivity)…\(c.maximumActivity) for \(c.items) items")
        var rng = Xoshiro256(seed: c.seed)
        let f = c.factors
        let scale = 1 / Double(f).squareRoot()
        let userFactors = Matrix(rows: c.users, columns: f, values: (0..<(c.users * f)).map { _ in Float(Double(rng.nextNormal()) * scale) })
        let itemFactors = Matrix(rows: c.items, columns: f, values: (0..<(c.items * f)).map { _ in Float(Double(rng.nextNormal()) * scale) })
        let weights = (0..<c.items).map { pow(Double($0 + 1), -c.popularityExponent) }
        let total = weights.reduce(0, +)
        let logPopularity = weights.map { Float(Foundation.log($0 / total)) }
        var columns = [Float](repeating: 0, count: c.items * f)   // [factors, items]
        for i in 0..<c.items { for k in 0..<f { columns[k * c.items + i] = itemFactors.storage[i * f + k] } }
        let itemColumns = columns

        // Activity: log-normal, scaled so the clamped sum is near the target.
        let raw = (0..<c.users).map { _ in exp(c.activitySigma * Double(rng.nextNormal())) }
        var factor = Double(c.interactions) / raw.reduce(0, +)
        var activity = [Int](repeating: 0, count: c.users)
        for _ in 0..<8 {
            var sum = 0
            for u in 0..<c.users {
                // Clamped as a Double first: a target beyond what the bounds allow grows `factor`
                // without limit, and converting that to Int would trap.
                activity[u] = Int(min(Double(c.maximumActivity), max(Double(c.minimumActivity), (raw[u] * factor).rounded())))
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
        let blockSize = 64
        let blocks = (c.users + blockSize - 1) / blockSize
        let baseSeed = rng.next()
        users.withUnsafeMutableBufferPointer { usersOut in
            items.withUnsafeMutableBufferPointer { itemsOut in
                times.withUnsafeMutableBufferPointer { timesOut in
                    let out = SyntheticOutput(users: usersOut.baseAddress!, items: itemsOut.baseAddress!, times: timesOut.baseAddress!)
                    DispatchQueue.concurrentPerform(iterations: blocks) { block in
                        var worker = SyntheticWorker(configuration: c)
                        var blockRng = Xoshiro256(seed: baseSeed ^ (UInt64(block + 1) &* 0xD1B5_4A32_D192_ED03))
                        userFactors.withUnsafeBufferPointer { uf in
                            itemColumns.withUnsafeBufferPointer { vf in
                                logPopularity.withUnsafeBufferPointer { lp in
                                    for u in (block * blockSize) ..< min(c.users, (block + 1) * blockSize) {
                                        worker.drawUser(u, count: userActivity[u], at: userOffsets[u], userFactors: uf.baseAddress!,
                                                        itemFactorsByColumn: vf.baseAddress!, logPopularity: lp.baseAddress!,
                                                        out: out, rng: &blockRng)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Drop unfilled slots (a user whose weights ran out), keeping order.
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
    var weights: [Float]
    var cumulative: [Double]
    var chosenStamp: [Int32]
    var chosen: [Int32] = []

    init(configuration: SyntheticConfiguration) {
        self.configuration = configuration
        weights = [Float](repeating: 0, count: configuration.items)
        cumulative = [Double](repeating: 0, count: configuration.items + 1)
        chosenStamp = [Int32](repeating: -1, count: configuration.items)
    }

    /// Draws user `u`'s items. `itemFactorsByColumn` is `[factors, items]` (transposed), `logPopularity` `[items]`.
    mutating func drawUser(_ u: Int, count n: Int, at offset: Int, userFactors: UnsafePointer<Float>,
                           itemFactorsByColumn: UnsafePointer<Float>, logPopularity: UnsafePointer<Float>,
                           out: SyntheticOutput, rng: inout Xoshiro256) {
        let f = configuration.factors, items = configuration.items
        let invT = 1 / configuration.temperature
        let uv = userFactors + u * f
        weights.withUnsafeMutableBufferPointer { w in
            let wp = w.baseAddress!
            for i in 0..<items { wp[i] = logPopularity[i] }
            var k = 0
            while k + 4 <= f {
                let a0 = uv[k] * invT, a1 = uv[k + 1] * invT, a2 = uv[k + 2] * invT, a3 = uv[k + 3] * invT
                let c0 = itemFactorsByColumn + k * items, c1 = c0 + items, c2 = c1 + items, c3 = c2 + items
                for i in 0..<items { wp[i] = wp[i] + (a0 * c0[i] + a1 * c1[i]) + (a2 * c2[i] + a3 * c3[i]) }
                k += 4
            }
            while k < f {
                let a = uv[k] * invT
                let column = itemFactorsByColumn + k * items
                for i in 0..<items { wp[i] = wp[i] + a * column[i] }
                k += 1
            }
            // Clamped so exp stays finite whatever the temperature; TowerCore's vector exp.
            for i in 0..<items { wp[i] = min(wp[i], 80) }
            vectorExp(inPlace: UnsafeMutableBufferPointer(start: wp, count: items))
        }
        rebuildCumulative()
        chosen.removeAll(keepingCapacity: true)
        let stamp = Int32(u)
        var rejections = 0
        let m = min(n, items)
        while chosen.count < m {
            let total = cumulative[items]
            if !(total > 0) { break }
            let r = rng.nextUnitDouble() * total
            // First index with cumulative[i + 1] > r.
            var lo = 0, hi = items - 1
            cumulative.withUnsafeBufferPointer { c in
                while lo < hi {
                    let mid = (lo + hi) >> 1
                    if c[mid + 1] > r { hi = mid } else { lo = mid + 1 }
                }
            }
            if chosenStamp[lo] == stamp || weights[lo] == 0 {
                rejections += 1
                if rejections > 4 * m + 32 {
                    // Mass concentrated on chosen items: remove them and redraw from the rest.
                    for i in chosen { weights[Int(i)] = 0 }
                    rebuildCumulative()
                    rejections = 0
                }
                continue
            }
            chosenStamp[lo] = stamp
            chosen.append(Int32(lo))
        }
        // Random order (the draw order would put the strongest items first), increasing times.
        var i = chosen.count - 1
        while i > 0 {
            let j = rng.nextIndex(below: i + 1)
            chosen.swapAt(i, j)
            i -= 1
        }
        var t = Int64(1_577_836_800) + Int64(rng.nextUnitDouble() * 365 * 86_400)
        for k in 0..<chosen.count {
            t += 1 + Int64(-Foundation.log(1 - rng.nextUnitDouble()) * 86_400)
            out.users[offset + k] = Int32(u)
            out.items[offset + k] = chosen[k]
            out.times[offset + k] = t
        }
    }

    private mutating func rebuildCumulative() {
        let items = configuration.items
        weights.withUnsafeBufferPointer { w in
            cumulative.withUnsafeMutableBufferPointer { c in
                var sum = 0.0
                c[0] = 0
                for i in 0..<items { sum += Double(w[i]); c[i + 1] = sum }
            }
        }
    }
}
