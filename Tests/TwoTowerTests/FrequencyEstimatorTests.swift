import Testing
import TowerCore
@testable import TwoTower

@Suite struct FrequencyEstimatorTests {
    /// Runs `steps` batches in which item `i` appears independently with probability `rates[i]`.
    func run(_ est: FrequencyEstimator, rates: [Double], steps: Int, rng: inout Xoshiro256) {
        var batch: [Int] = []
        for _ in 0..<steps {
            batch.removeAll(keepingCapacity: true)
            for (id, p) in rates.enumerated() where Double.random(in: 0..<1, using: &rng) < p {
                batch.append(id); batch.append(id)  // a repeated id counts once per step
            }
            est.update(ids: batch)
        }
    }

    /// With α = 0.02 the EMA of the gap has a relative standard deviation of about
    /// √(α(1−p)/2) ≤ 0.1, so a 30% tolerance is 3σ; warm-up is ≥ 200 hits per item
    /// (initial-gap bias (1−α)^200 ≈ 2%). Hash size 4096 ≫ 40 items keeps collisions unlikely
    /// and two hashes make a joint collision negligible.
    @Test func tracksKnownAndShiftingRates() {
        let est = FrequencyEstimator(hashSize: 4096, numHashes: 2, learningRate: 0.02, seed: 1)
        var rng = Xoshiro256(seed: 11)
        var rates = [Double](repeating: 0.01, count: 40)
        rates[0] = 0.5; rates[1] = 0.2; rates[2] = 0.1; rates[3] = 0.05
        run(est, rates: rates, steps: 4000, rng: &rng)
        for id in 0..<4 {
            let rel = abs(Double(est.estimate(id)) - rates[id]) / rates[id]
            #expect(rel < 0.3, "id \(id): estimate \(est.estimate(id)) vs \(rates[id])")
        }
        // Popularity shifts midway: item 3 becomes hot, item 0 cools down.
        rates[3] = 0.5; rates[0] = 0.1
        run(est, rates: rates, steps: 3000, rng: &rng)
        #expect(abs(Double(est.estimate(3)) - 0.5) / 0.5 < 0.3, "shifted up: \(est.estimate(3))")
        #expect(abs(Double(est.estimate(0)) - 0.1) / 0.1 < 0.3, "shifted down: \(est.estimate(0))")
        #expect(est.step == 7000)
        // An id never seen keeps the initial gap in at least one of its buckets: p̂ ≤ 1/100.
        #expect(est.estimate(1_000_000) <= 0.0101)
    }

    /// One bucket for everything: every id sees the gap of "any item appears", ≈ 1 step.
    /// With a few buckets, collisions can only shorten gaps, so estimates over-estimate, and the
    /// max over several hashes over-estimates less than one hash.
    @Test func collisionsOverEstimateAndMoreHashesHelp() {
        let rates = [Double](repeating: 0.05, count: 24)
        var rng1 = Xoshiro256(seed: 5), rng2 = Xoshiro256(seed: 5), rng3 = Xoshiro256(seed: 5)
        let single = FrequencyEstimator(hashSize: 1, learningRate: 0.05)
        run(single, rates: rates, steps: 2000, rng: &rng1)
        let union = 1 - pow(0.95, 24.0)  // P(at least one item in a step)
        #expect(abs(Double(single.estimate(0)) - union) < 0.15, "\(single.estimate(0)) vs \(union)")
        #expect(single.estimate(0) == single.estimate(17))
        let oneHash = FrequencyEstimator(hashSize: 6, numHashes: 1, learningRate: 0.05, seed: 2)
        let fourHashes = FrequencyEstimator(hashSize: 6, numHashes: 4, learningRate: 0.05, seed: 2)
        run(oneHash, rates: rates, steps: 3000, rng: &rng2)
        run(fourHashes, rates: rates, steps: 3000, rng: &rng3)
        var err1 = 0.0, err4 = 0.0
        for id in 0..<24 {
            #expect(Double(oneHash.estimate(id)) > 0.05 * 0.7, "collided estimate should not under-estimate")
            err1 += abs(Double(oneHash.estimate(id)) - 0.05)
            err4 += abs(Double(fourHashes.estimate(id)) - 0.05)
        }
        #expect(err4 < err1, "4 hashes \(err4) vs 1 hash \(err1)")
    }

    /// Warm start: a rare item (rate 1/40) seen only ~10 times has a running-mean estimate,
    /// not one stuck near the initial gap of 100 as the paper's plain EMA (α = 0.01) would be:
    /// after 10 hits the plain EMA still weighs the initial value by 0.99^10 ≈ 0.9. The mean of
    /// 10 geometric gaps has a relative standard deviation ≈ √(1−p)/√10 ≈ 0.31, so a factor of 2
    /// is about 3σ either way.
    @Test func rareItemsAreEstimatedAfterFewHits() {
        var rng = Xoshiro256(seed: 11)
        let est = FrequencyEstimator(hashSize: 1 << 12, numHashes: 2, learningRate: 0.01, seed: 3)
        run(est, rates: [0.025, 0.5], steps: 400, rng: &rng)
        let rare = Double(est.estimate(0))
        #expect(rare > 0.025 / 2 && rare < 0.025 * 2, "estimate \(rare) for a true rate of 0.025")
        #expect(abs(Double(est.estimate(1)) - 0.5) < 0.1)
    }

    /// Counting occurrences: an item present 3 times in every batch has an expected count of 3
    /// per step, where the paper's set semantics saturate at 1; an item in every other batch
    /// once (in expectation) reads about 0.5 either way.
    @Test func countingOccurrencesEstimatesExpectedCounts() {
        let counting = FrequencyEstimator(hashSize: 1 << 10, numHashes: 2, learningRate: 0.05, seed: 1, countsOccurrences: true)
        let sets = FrequencyEstimator(hashSize: 1 << 10, numHashes: 2, learningRate: 0.05, seed: 1)
        var rng = Xoshiro256(seed: 2)
        for _ in 0..<2000 {
            var batch = [7, 7, 7]
            if Double.random(in: 0..<1, using: &rng) < 0.5 { batch.append(9) }
            counting.update(ids: batch)
            sets.update(ids: batch)
        }
        #expect(abs(counting.estimate(7) - 3) < 0.2, "\(counting.estimate(7))")
        #expect(abs(sets.estimate(7) - 1) < 1e-3)
        #expect(abs(counting.estimate(9) - 0.5) < 0.15 && abs(sets.estimate(9) - 0.5) < 0.15)
    }
}

import Foundation
