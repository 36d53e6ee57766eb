import Testing
import TowerCore
@testable import TwoTower

/// Sizes have a ceiling: a configuration whose memory estimate exceeds the limit is refused with
/// the estimate and the limit, naming the field; k beyond the catalogue is capped (issue 11, item 3).
@Suite struct SizeCeilingTests {
    /// ml-latest-small after leave-last-out.
    let users = 610, items = 9681, rows = 99_616
    let limit = 25e9

    func refusal(_ t: TrainingConfiguration, _ m: ModelConfiguration = ModelConfiguration()) -> ConfigurationError? {
        do {
            try t.validateMemory(model: m, userCount: users, itemCount: items, trainingRows: rows, limit: limit)
            return nil
        } catch let e as ConfigurationError { return e } catch { Issue.record("\(error)"); return nil }
    }

    @Test func defaultsFit() {
        #expect(refusal(TrainingConfiguration()) == nil)
        var t = TrainingConfiguration()
        t.samplers = [.inBatch, .crossBatch(capacity: 4096), .uniform(count: 512)]
        #expect(refusal(t) == nil)
    }

    @Test func hugeBatchIsRefusedWithTheEstimateAndTheLimit() throws {
        var t = TrainingConfiguration()
        t.batchSize = 1_000_000
        let e = try #require(refusal(t))
        #expect(e.field == "batchSize")
        // The batch is capped at the training rows: the score matrix is rows × (rows + 1), twice.
        let scoreBytes = 2.0 * 99_616 * 99_617 * 4
        #expect(e.message.contains("score matrix 99616 × 99617: \(MemoryEstimate.format(scoreBytes))"), "\(e.message)")
        #expect(e.message.contains("more than the memory limit of 25.0 GB"))
        #expect(e.message.hasPrefix("batchSize 1000000: training needs an estimated"))
        t.batchSize = 1 << 40
        #expect(refusal(t)?.field == "batchSize")
        t.batchSize = .max
        #expect(refusal(t)?.field == "batchSize")
    }

    @Test func hugeSamplerCapacityNamesTheSamplers() throws {
        for sampler in [SamplerSpecification.crossBatch(capacity: 99_999_999_999_999), .cachedUniform(capacity: .max),
                        .uniform(count: .max)] {
            var t = TrainingConfiguration()
            t.samplers = [.inBatch, sampler]
            let e = try #require(refusal(t))
            #expect(e.field == "samplers", "\(e.message)")
            #expect(e.message.contains("\(sampler)"))
        }
    }

    @Test func hugeDimensionsNameTheDimensions() throws {
        var m = ModelConfiguration()
        m.dimensions = 100_000_000
        let e = try #require(refusal(TrainingConfiguration(), m))
        #expect(e.field == "dimensions")
        m.dimensions = .max / 2
        #expect(refusal(TrainingConfiguration(), m)?.field == "dimensions")
    }

    @Test func estimateGrowsWithEachSize() {
        let t = TrainingConfiguration()
        let base = t.memoryEstimate(model: ModelConfiguration(), userCount: users, itemCount: items, trainingRows: rows).bytes
        var bigger = t
        bigger.batchSize *= 2
        #expect(bigger.memoryEstimate(model: ModelConfiguration(), userCount: users, itemCount: items, trainingRows: rows).bytes > base)
        var m = ModelConfiguration()
        m.dimensions *= 2
        #expect(t.memoryEstimate(model: m, userCount: users, itemCount: items, trainingRows: rows).bytes > base)
        #expect(t.memoryEstimate(model: ModelConfiguration(), userCount: users * 10, itemCount: items, trainingRows: rows).bytes > base)
    }

    /// A k far beyond the catalogue gives the metrics of k = catalogue for the hit-based metrics
    /// (Precision still divides by k) without allocating k-sized tables.
    @Test func perUserKBeyondTheCatalogueIsCapped() throws {
        let queries = EvaluationTests.case1Queries, items = EvaluationTests.case1Items
        let huge = try Evaluation.perUser(queries: queries, items: items, heldOut: EvaluationTests.case1HeldOut,
                                          excluded: EvaluationTests.case1Excluded, ks: [1_000_000_000_000],
                                          itemCounts: EvaluationTests.case1Counts)
        let atCatalogue = try Evaluation.perUser(queries: queries, items: items, heldOut: EvaluationTests.case1HeldOut,
                                                 excluded: EvaluationTests.case1Excluded, ks: [6],
                                                 itemCounts: EvaluationTests.case1Counts)
        for metric in [RankingMetric.recall, .ndcg, .map, .mrr, .hitrate, .coverage] {
            #expect(huge.value(metric, k: 1_000_000_000_000) == atCatalogue.value(metric, k: 6), "\(metric)")
        }
        let hitsHuge = huge.value(.precision, k: 1_000_000_000_000)! * 1e12, hits = atCatalogue.value(.precision, k: 6)! * 6
        #expect(abs(hitsHuge - hits) < 1e-6)
    }
}

/// The refusal names the flag whose size dominates: the layers or the embedding width, not the
/// batch; huge epoch counts do not overflow the schedule's step count.
@Suite struct SizeCeilingFieldTests {
    let users = 610, items = 9681, rows = 99_616

    func field(_ t: TrainingConfiguration = TrainingConfiguration(), _ m: ModelConfiguration) -> String? {
        do {
            try t.validateMemory(model: m, userCount: users, itemCount: items, trainingRows: rows, limit: 25e9)
            return nil
        } catch let e as ConfigurationError { return e.field } catch { return nil }
    }

    @Test func wideLayersNameTheLayers() {
        var m = ModelConfiguration()
        m.tower = .mlp
        m.hiddenLayers = [100_000_000]
        #expect(field(TrainingConfiguration(), m) == "hiddenLayers")
    }

    @Test func aWideEmbeddingNamesTheEmbeddingWidth() {
        var m = ModelConfiguration()
        m.tower = .mlp
        m.embeddingDimensions = 100_000_000
        #expect(field(TrainingConfiguration(), m) == "embeddingDimensions")
    }

    @Test func aHugeBatchStillNamesTheBatch() {
        var t = TrainingConfiguration()
        t.batchSize = .max
        var m = ModelConfiguration()
        m.tower = .mlp
        #expect(field(t, m) == "batchSize")
    }

    @Test func hugeEpochsDoNotOverflowTheSchedule() {
        var t = TrainingConfiguration()
        t.epochs = .max
        t.learningRateDecay = .cosine
        #expect(t.schedule(stepsPerEpoch: 1000) != nil)
    }
}
