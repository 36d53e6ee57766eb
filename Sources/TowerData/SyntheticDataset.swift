import Foundation
import TowerCore

/// Sizes and laws of the synthetic dataset (defaults: a log shaped like a real one, ~1M rows).
public struct SyntheticConfiguration: Sendable, Equatable {
    public var users: Int
    public var items: Int
    /// Target number of interactions (the result is within about 1% of it).
    public var interactions: Int
    /// Latent dimension `f` of the planted user and item vectors.
    public var factors: Int
    /// Temperature τ of the affinity tilt `exp(⟨u, i⟩ / τ)`.
    public var temperature: Float
    /// Zipf exponent `s` of item popularity: `p_i ∝ (i + 1)^(−s)`, item 0 most popular.
    public var popularityExponent: Double
    /// σ of the log-normal user activity law (heavier tail when larger).
    public var activitySigma: Double
    /// Fewest interactions per user (≥ 3 so that leave-last-out with validation keeps train data).
    public var minimumActivity: Int
    /// Most interactions per user.
    public var maximumActivity: Int
    public var seed: UInt64

    public init(users: Int = 20_000, items: Int = 10_000, interactions: Int = 1_000_000, factors: Int = 16,
                temperature: Float = 0.1, popularityExponent: Double = 0.9, activitySigma: Double = 0.8,
                minimumActivity: Int = 5, maximumActivity: Int? = nil, seed: UInt64 = 42) {
        self.users = users; self.items = items; self.interactions = interactions; self.factors = factors
        self.temperature = temperature; self.popularityExponent = popularityExponent
        self.activitySigma = activitySigma; self.minimumActivity = minimumActivity
        self.maximumActivity = maximumActivity ?? max(minimumActivity, items / 10)
        self.seed = seed
    }
}

/// The generator's truth: planted vectors and popularity, enough to score the oracle ranking
/// `score(u, i) = itemLogPopularity[i] + ⟨userFactors[u], itemFactors[i]⟩ / temperature`.
public struct SyntheticTruth: Sendable, Equatable {
    /// `[users, factors]`, row-major.
    public var userFactors: Matrix
    /// `[items, factors]`, row-major.
    public var itemFactors: Matrix
    /// `log p_i` of the popularity law, `[items]` (normalised: Σ p_i = 1).
    public var itemLogPopularity: [Float]
    public var temperature: Float

    public init(userFactors: Matrix, itemFactors: Matrix, itemLogPopularity: [Float], temperature: Float) {
        precondition(userFactors.columns == itemFactors.columns && itemFactors.rows == itemLogPopularity.count,
                     "SyntheticTruth: user factors \(userFactors.rows)×\(userFactors.columns), item factors \(itemFactors.rows)×\(itemFactors.columns), \(itemLogPopularity.count) popularities")
        self.userFactors = userFactors; self.itemFactors = itemFactors
        self.itemLogPopularity = itemLogPopularity; self.temperature = temperature
    }

    /// The oracle score of (user row, item row).
    public func oracleScore(user: Int, item: Int) -> Float {
        var dot: Float = 0
        for c in 0..<userFactors.columns { dot += userFactors[user, c] * itemFactors[item, c] }
        return itemLogPopularity[item] + dot / temperature
    }

    /// Oracle scores of every item for `user` into `scores` (`[items]`, no allocation).
    public func oracleScores(user: Int, into scores: inout [Float]) {
        precondition(scores.count == itemFactors.rows, "oracleScores: \(scores.count) slots for \(itemFactors.rows) items")
        let f = userFactors.columns, invT = 1 / temperature
        userFactors.withUnsafeBufferPointer { u in
            itemFactors.withUnsafeBufferPointer { v in
                itemLogPopularity.withUnsafeBufferPointer { lp in
                    scores.withUnsafeMutableBufferPointer { s in
                        let uu = u.baseAddress! + user * f
                        for i in 0..<s.count {
                            var dot: Float = 0
                            let vi = v.baseAddress! + i * f
                            for c in 0..<f { dot += uu[c] * vi[c] }
                            s[i] = lp[i] + dot * invT
                        }
                    }
                }
            }
        }
    }

    /// The truth for the rows of other vocabularies whose ids are the generator's indices as
    /// decimal text (as written by ``SyntheticDataset/write(to:)``), e.g. after reading the CSV.
    public func aligned(userVocabulary: Vocabulary, itemVocabulary: Vocabulary) throws(DataError) -> SyntheticTruth {
        func indices(_ v: Vocabulary, _ limit: Int) throws(DataError) -> [Int] {
            var out: [Int] = []
            for id in v.ids {
                guard let k = Int(id), k >= 0, k < limit else {
                    throw .invalidRequest("synthetic truth: \(v.name) id \"\(id)\" is not a generator index in 0..<\(limit)")
                }
                out.append(k)
            }
            return out
        }
        let u = try indices(userVocabulary, userFactors.rows), i = try indices(itemVocabulary, itemFactors.rows)
        let f = userFactors.columns
        var uf = [Float](), vf = [Float]()
        uf.reserveCapacity(u.count * f); vf.reserveCapacity(i.count * f)
        for r in u { uf.append(contentsOf: userFactors.storage[r * f ..< (r + 1) * f]) }
        for r in i { vf.append(contentsOf: itemFactors.storage[r * f ..< (r + 1) * f]) }
        return SyntheticTruth(userFactors: Matrix(rows: u.count, columns: f, values: uf),
                              itemFactors: Matrix(rows: i.count, columns: f, values: vf),
                              itemLogPopularity: i.map { itemLogPopularity[$0] }, temperature: temperature)
    }
}
