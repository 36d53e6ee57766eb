import Testing
@testable import TowerWorkflows
import TwoTower

/// The bookkeeping of asynchronous successive halving, without training: rungs, promotions,
/// rung sizes, failed trials and ties.
@Suite struct SuccessiveHalvingTests {
    @Test func rungsGrowByEtaAndEndAtTheMaximum() throws {
        #expect(try SuccessiveHalving(minEpochs: 1, maxEpochs: 27, reductionFactor: 3).rungEpochs == [1, 3, 9, 27])
        #expect(try SuccessiveHalving(minEpochs: 1, maxEpochs: 20, reductionFactor: 3).rungEpochs == [1, 3, 9, 20])
        #expect(try SuccessiveHalving(minEpochs: 2, maxEpochs: 16, reductionFactor: 2).rungEpochs == [2, 4, 8, 16])
        #expect(try SuccessiveHalving(minEpochs: 5, maxEpochs: 5, reductionFactor: 3).rungEpochs == [5])
        #expect(throws: ConfigurationError.self) { try SuccessiveHalving(minEpochs: 0, maxEpochs: 5, reductionFactor: 3) }
        #expect(throws: ConfigurationError.self) { try SuccessiveHalving(minEpochs: 6, maxEpochs: 5, reductionFactor: 3) }
        #expect(throws: ConfigurationError.self) { try SuccessiveHalving(minEpochs: 1, maxEpochs: 5, reductionFactor: 1) }
    }

    /// The driver loop of ``TuningRun``: promote when possible, else start a new configuration,
    /// with a fixed score per configuration.
    static func simulate(configurations: Int, eta: Int, maxEpochs: Int, score: (Int) -> Double)
        -> (halving: SuccessiveHalving, jobs: [(configuration: Int, rung: Int)]) {
        var halving = try! SuccessiveHalving(minEpochs: 1, maxEpochs: maxEpochs, reductionFactor: eta)
        var jobs: [(Int, Int)] = []
        var drawn = 0
        while true {
            let job: (Int, Int)
            if let p = halving.nextPromotion() { job = p }
            else if drawn < configurations { job = (drawn, 0); drawn += 1 }
            else { break }
            halving.record(configuration: job.0, rung: job.1, score: score(job.0))
            jobs.append(job)
        }
        return (halving, jobs)
    }

    /// 27 configurations, η = 3, the best drawn first: the rung sizes of synchronous successive
    /// halving, 27 → 9 → 3 → 1, and the best configuration reaches the top rung.
    @Test func twentySevenConfigurationsHalveToOne() {
        let (halving, jobs) = Self.simulate(configurations: 27, eta: 3, maxEpochs: 27) { -Double($0) }
        #expect(halving.rungSizes == [27, 9, 3, 1])
        #expect(jobs.count == 40)
        #expect(halving.results[3].map(\.configuration) == [0])
        #expect(halving.results[2].map(\.configuration) == [0, 1, 2])
        #expect(halving.results[1].map(\.configuration) == Array(0..<9))
        // The first promotion happens as soon as rung 0 holds η results.
        #expect(jobs.prefix(4).map(\.rung) == [0, 0, 0, 1])
        #expect(jobs[3].configuration == 0)
    }

    /// Promotions pick the best unpromoted configuration among the top ⌊n/η⌋, top rung first.
    @Test func promotionsFollowTheScores() throws {
        var h = try SuccessiveHalving(minEpochs: 1, maxEpochs: 4, reductionFactor: 2)
        #expect(h.rungEpochs == [1, 2, 4])
        h.record(configuration: 0, rung: 0, score: 0.5)
        h.record(configuration: 1, rung: 0, score: 0.7)
        #expect(h.nextPromotion()! == (1, 1))
        #expect(h.nextPromotion() == nil)
        h.record(configuration: 2, rung: 0, score: 0.6)
        h.record(configuration: 3, rung: 0, score: 0.9)
        #expect(h.nextPromotion()! == (3, 1))       // top 2 of rung 0 are 3 and 1; 1 went on already
        h.record(configuration: 1, rung: 1, score: 0.8)
        h.record(configuration: 3, rung: 1, score: 0.95)
        #expect(h.nextPromotion()! == (3, 2))       // the top rung is looked at first
        #expect(h.nextPromotion() == nil)
        #expect(h.promoted[0] == [1, 3] && h.promoted[1] == [3])
    }

    /// ASHA's known property: a late result that overtakes an earlier promotion is promoted too.
    @Test func lateBetterResultsArePromotedToo() {
        let (halving, _) = Self.simulate(configurations: 6, eta: 3, maxEpochs: 3) { Double($0) }
        // Each new configuration is the best so far: 4 of 6 go on, not ⌊6/3⌋ = 2.
        #expect(halving.results[1].map(\.configuration) == [2, 3, 4, 5])
        #expect(halving.rungSizes == [6, 4])
    }

    @Test func failedTrialsAreNeverPromoted() throws {
        var h = try SuccessiveHalving(minEpochs: 1, maxEpochs: 2, reductionFactor: 2)
        h.record(configuration: 0, rung: 0, score: -.infinity)
        h.record(configuration: 1, rung: 0, score: -.infinity)
        #expect(h.nextPromotion() == nil)
        h.record(configuration: 2, rung: 0, score: 0.1)
        h.record(configuration: 3, rung: 0, score: -.infinity)
        #expect(h.nextPromotion()! == (2, 1))
    }

    @Test func tiesGoToTheConfigurationRecordedFirst() throws {
        var h = try SuccessiveHalving(minEpochs: 1, maxEpochs: 3, reductionFactor: 3)
        for c in [4, 2, 7] { h.record(configuration: c, rung: 0, score: 0.25) }
        #expect(h.ranked(0).map(\.configuration) == [4, 2, 7])
        #expect(h.nextPromotion()! == (4, 1))
    }
}
