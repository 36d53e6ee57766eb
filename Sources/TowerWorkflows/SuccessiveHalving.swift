import TwoTower

/// The bookkeeping of asynchronous successive halving (ASHA; Li et al., "A System for Massively
/// Parallel Hyperparameter Tuning", MLSys 2020), with epochs as the resource, run one trial at a
/// time: many configurations get a few epochs; the best `1/η` of each rung go on to `η` times as
/// many epochs, up to `maxEpochs`.
///
/// Rung `k` trains for `minEpochs · η^k` epochs (the last rung: `maxEpochs`). Whenever a trial
/// ends, ``nextPromotion()`` looks from the top rung down for a configuration that is among the
/// best `⌊n/η⌋` of the `n` results of its rung and has not been promoted yet; when there is none,
/// the caller starts a new configuration on rung 0. With a fixed number of configurations this
/// ends with the rung sizes of synchronous successive halving (27, 9, 3, 1 for 27 configurations
/// and η = 3) unless a late result overtakes one promoted earlier (then ASHA promotes both, as
/// in the paper). Pure: no clock, no training; ties go to the configuration started first.
public struct SuccessiveHalving: Sendable, Equatable {
    /// Epochs of each rung, increasing; the last is `maxEpochs`.
    public let rungEpochs: [Int]
    /// η: the fraction `1/η` of a rung goes on, with `η` times the epochs.
    public let reductionFactor: Int
    /// Per rung, the results recorded so far: (configuration, score), in the order recorded.
    public private(set) var results: [[(configuration: Int, score: Double)]]
    /// Per rung, the configurations already sent on from it.
    public private(set) var promoted: [Set<Int>]

    /// - Throws: ``ConfigurationError`` naming `{minEpochs}`, `{maxEpochs}` or `{reductionFactor}`
    ///   when `1 ≤ minEpochs ≤ maxEpochs` or `η ≥ 2` does not hold.
    public init(minEpochs: Int, maxEpochs: Int, reductionFactor: Int) throws {
        guard minEpochs >= 1 else { throw ConfigurationError("{minEpochs} must be at least 1, found \(minEpochs)") }
        guard maxEpochs >= minEpochs else {
            throw ConfigurationError("{maxEpochs} \(maxEpochs) is smaller than {minEpochs} \(minEpochs)")
        }
        guard reductionFactor >= 2 else {
            throw ConfigurationError("{reductionFactor} must be at least 2, found \(reductionFactor)")
        }
        var epochs = [minEpochs]
        while epochs.last! < maxEpochs { epochs.append(min(epochs.last! * reductionFactor, maxEpochs)) }
        rungEpochs = epochs
        self.reductionFactor = reductionFactor
        results = Array(repeating: [], count: epochs.count)
        promoted = Array(repeating: [], count: epochs.count)
    }

    /// Records the validation score of `configuration` trained for `rungEpochs[rung]` epochs
    /// (higher is better; `-infinity` for a trial that failed).
    public mutating func record(configuration: Int, rung: Int, score: Double) {
        precondition(rung >= 0 && rung < rungEpochs.count, "SuccessiveHalving: rung \(rung) of \(rungEpochs.count)")
        results[rung].append((configuration, score))
    }

    /// The next configuration to train on a higher rung, marked as promoted: `(configuration,
    /// rung)` with `rung` the rung to train it on; `nil` when no rung has a configuration to send on.
    public mutating func nextPromotion() -> (configuration: Int, rung: Int)? {
        for k in stride(from: rungEpochs.count - 2, through: 0, by: -1) {
            let keep = results[k].count / reductionFactor
            guard keep > 0 else { continue }
            let best = ranked(k).prefix(keep)
            if let candidate = best.first(where: { !promoted[k].contains($0.configuration) && $0.score.isFinite }) {
                promoted[k].insert(candidate.configuration)
                return (candidate.configuration, k + 1)
            }
        }
        return nil
    }

    /// Rung `k`'s results, best first (ties: recorded first).
    public func ranked(_ k: Int) -> [(configuration: Int, score: Double)] {
        results[k].enumerated().sorted { a, b in
            a.element.score != b.element.score ? a.element.score > b.element.score : a.offset < b.offset
        }.map(\.element)
    }

    /// Results per rung.
    public var rungSizes: [Int] { results.map(\.count) }

    public static func == (a: SuccessiveHalving, b: SuccessiveHalving) -> Bool {
        a.rungEpochs == b.rungEpochs && a.reductionFactor == b.reductionFactor && a.promoted == b.promoted
            && a.results.map { $0.map(\.configuration) } == b.results.map { $0.map(\.configuration) }
            && a.results.map { $0.map(\.score) } == b.results.map { $0.map(\.score) }
    }
}
