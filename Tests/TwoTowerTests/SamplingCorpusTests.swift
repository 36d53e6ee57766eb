import Foundation
import Testing
import TowerCore
import TowerTestSupport
@testable import TwoTower

@Suite struct SamplingCorpusTests {
    @Test func popularityDrawsUniqueIdsInRange() throws {
        let s = PopularityBasedSampler(maxId: 99, minId: 2, maxNumSamples: 10, seed: 7)
        for _ in 0..<50 {
            let ids = s.sampleIds()
            #expect(ids.count == 10 && Set(ids).count == 10)
            #expect(ids.allSatisfy { $0 >= 2 && $0 < 99 })
            #expect(s.lastNumTries >= 10)
            for (id, p) in zip(ids, s.lastSampleProbabilities) {
                let exact = 1 - pow(1 - s.logUniformProbability(of: id), Double(s.lastNumTries))
                #expect(abs(Double(p) - exact) <= 1e-6 * exact)
                #expect(abs(s.inclusionProbability(of: id) - exact) <= 1e-12)
            }
        }
        #expect(s.maxNumSamples == 10 && s.negativeGradientFlow == .sampledItems)
    }

    @Test func logUniformLawIsExactAndAligned() {
        let s = PopularityBasedSampler(maxId: 53, minId: 3, maxNumSamples: 1, seed: 1)
        let total = (3..<53).reduce(0.0) { $0 + s.logUniformProbability(of: $1) }
        #expect(abs(total - 1) < 1e-12)
        #expect(abs(s.logUniformProbability(of: 3) - log(2.0) / log(51.0)) < 1e-15)  // minId is the most popular
        #expect(s.logUniformProbability(of: 2) == 0 && s.logUniformProbability(of: 53) == 0)
    }

    /// maxNumSamples = 1 makes each draw one log-uniform sample: Pearson's chi-square over R = 30
    /// bins and 30 000 draws (every expected count ≥ 280) against the 0.1% critical value of
    /// χ²(29) = 58.3. The seed is fixed, so this is deterministic; a wrong law (e.g. Merlin's
    /// off-by-one table or the log(R+2) denominator) gives χ² in the hundreds.
    @Test func logUniformChiSquare() {
        let r = 30, draws = 30_000
        let s = PopularityBasedSampler(maxId: 10 + r, minId: 10, maxNumSamples: 1, seed: 2024)
        var counts = [Int](repeating: 0, count: r)
        for _ in 0..<draws {
            let id = s.sampleIds()[0]
            counts[id - 10] += 1
            #expect(s.lastNumTries == 1)
        }
        var chi2 = 0.0
        for c in 0..<r {
            let expected = Double(draws) * s.logUniformProbability(of: 10 + c)
            chi2 += pow(Double(counts[c]) - expected, 2) / expected
        }
        #expect(chi2 < 58.3, "chi-square \(chi2)")
        #expect(s.lastSampleProbabilities[0] == Float(s.logUniformProbability(of: s.lastIds[0])))
    }

    /// Unique draws (k = 5 of 1000): the empirical inclusion rate of the most popular ids matches
    /// the mean reported probability; 4000 draws give a binomial σ ≤ 0.008, tolerance 0.03.
    @Test func uniqueInclusionMatchesReportedProbability() {
        let s = PopularityBasedSampler(maxId: 1000, maxNumSamples: 5, seed: 99)
        let draws = 4000
        var hits = [Int](repeating: 0, count: 4)
        var reported = [Double](repeating: 0, count: 4)
        for _ in 0..<draws {
            let ids = Set(s.sampleIds())
            for c in 0..<4 {
                if ids.contains(c) { hits[c] += 1 }
                reported[c] += s.inclusionProbability(of: c) / Double(draws)
            }
        }
        for c in 0..<4 { #expect(abs(Double(hits[c]) / Double(draws) - reported[c]) < 0.03, "id \(c)") }
    }

    @Test func uniformCorpusSamplerIsUniformAndUnique() {
        let r = 20, k = 5, draws = 8000
        let s = UniformCorpusSampler(maxId: 25, minId: 5, maxNumSamples: k, seed: 3)
        var counts = [Int](repeating: 0, count: r)
        for _ in 0..<draws {
            let ids = s.sampleIds()
            #expect(Set(ids).count == k && ids.allSatisfy { $0 >= 5 && $0 < 25 })
            for id in ids { counts[id - 5] += 1 }
        }
        // Each id's count is Binomial(draws, k/r); chi-square with 19 dof, 0.1% critical value 43.8.
        let p = Double(k) / Double(r), expected = Double(draws) * p
        let chi2 = counts.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / (expected * (1 - p)) }
        #expect(chi2 < 43.8, "chi-square \(chi2)")
        #expect(s.lastSampleProbabilities == [Float](repeating: 0.25, count: k))
        #expect(s.inclusionProbability(of: 5) == 0.25 && s.inclusionProbability(of: 25) == 0)
    }

    @Test func corpusSamplerEmbeddingProtocol() throws {
        let s = UniformCorpusSampler(maxId: 100, maxNumSamples: 4, seed: 5)
        let batch = try EmbeddingWithMetadata(embeddings: randomMatrix(rows: 3, columns: 2, seed: 1), metadata: ["item_id": [1, 2, 3]])
        #expect(throws: SamplerError.embeddingsNotProvided(sampler: "UniformCorpusSampler")) { _ = try s(batch, training: true) }
        let ids = s.sampleIds()
        #expect(throws: SamplerError.sampledRowCountMismatch(sampler: "UniformCorpusSampler", drawn: 4, embeddings: 3)) {
            try s.provideEmbeddings(Matrix(rows: 3, columns: 2))
        }
        let emb = Matrix(rows: 4, columns: 2, values: ids.flatMap { [Float($0), 1] })
        try s.provideEmbeddings(emb)
        let out = try s(batch, training: true)
        #expect(out.embeddings == emb && out.metadata["item_id"] == ids)
        #expect(throws: SamplerError.embeddingsNotProvided(sampler: "UniformCorpusSampler")) { _ = try s.sample() }  // consumed
        // With an embed closure the sampler draws and embeds by itself.
        let auto = PopularityBasedSampler(maxId: 50, maxNumSamples: 3, seed: 1) { ids in
            Matrix(rows: ids.count, columns: 2, values: ids.flatMap { [Float($0), -1] })
        }
        let drawn = try auto(batch, training: true)
        #expect(drawn.count == 3)
        for r in 0..<3 { #expect(drawn.embeddings[r, 0] == Float(drawn.metadata["item_id"]![r])) }
    }
}
