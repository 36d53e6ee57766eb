import Testing
import TowerCore
import TowerTestSupport
@testable import TwoTower

/// `Trainer.step` end to end: the gradient the step applies (SGD, learning rate 1, so
/// `θ_before − θ_after = ∂L/∂θ`) against central differences of the step's own loss (taken by a
/// second trainer with learning rate 1e-20 on the same model: its updates vanish in rounding), with in-batch negatives, a corpus
/// sampler drawing every item (its draws' order changes per call; the softmax loss does not),
/// duplicated positives (false negatives), a static logQ table and per-row weights.
@Suite struct TrainerStepTests {
    static let users: [Int32] = [0, 1, 2, 3, 4]
    static let items: [Int32] = [1, 3, 3, 5, 7]
    static let weights: [Float] = [1, 0.5, 2, 1, 1.5]

    static func trainer(_ model: TwoTowerModel, learningRate: Float, samplers: [SamplerSpecification],
                        loss: RetrievalLoss = .softmaxCrossEntropy, reduction: RetrievalLoss.Reduction? = nil,
                        embeddingL2: Float? = 0) throws -> Trainer {
        var c = TrainingConfiguration()
        c.embeddingL2 = embeddingL2
        c.optimizer = .sgd
        c.learningRate = learningRate
        c.samplers = samplers
        c.logQ = .static
        c.temperature = 0.5
        c.batchSize = users.count
        c.loss = loss
        c.lossReduction = reduction
        if loss == .ccl {  // raw cosine scores; a margin low enough that many negatives are active
            c.logQ = .none
            c.temperature = 1
            c.cclMargin = 0.1
            c.cclNegativeWeight = 3
        }
        return try Trainer(model: model, configuration: c, itemCounts: [5, 9, 1, 4, 2, 7, 3, 6])
    }

    static func model(l2Normalize: Bool = false) -> TwoTowerModel {
        var m = ModelConfiguration()
        m.tower = .mf
        m.dimensions = 3
        m.l2Normalize = l2Normalize
        return TwoTowerModel(configuration: m, userCount: 6, itemCount: 8, seed: 3)
    }

    /// `θ_before − θ_after` of one step of `stepper` (SGD: the learning rate times the applied gradient).
    static func appliedUpdate(_ model: TwoTowerModel, _ stepper: Trainer) throws -> [Matrix] {
        let before = model.parameters.map(\.value)
        _ = try step(stepper)
        let update = zip(before, model.parameters).map { b, p in
            Matrix(rows: b.rows, columns: b.columns, values: zip(b.storage, p.value.storage).map { $0 - $1 })
        }
        for (k, parameter) in model.parameters.enumerated() { parameter.value = before[k] }
        return update
    }

    /// The gradient a step applies against central differences of the probe's loss, every parameter.
    static func expectStepGradient(_ model: TwoTowerModel, probe: Trainer, stepper: Trainer, eps: Float = 1e-2,
                                   _ what: String) throws {
        let before = model.parameters.map(\.value)
        let gradients = try appliedUpdate(model, stepper)
        for (k, parameter) in model.parameters.enumerated() {
            let error = try finiteDifferenceError(before[k], analytic: gradients[k], eps: eps) {
                parameter.value = $0
                defer { parameter.value = before[k] }
                return try Self.step(probe)
            }
            #expect(error < 5e-3, "\(parameter.name) with \(what)")
        }
        #expect(gradients.contains { $0.storage.contains { $0 != 0 } }, "\(what): the step applied no gradient")
    }

    static func step(_ t: Trainer, weights: [Float]? = Self.weights) throws -> Float {
        try users.withUnsafeBufferPointer { u in
            try items.withUnsafeBufferPointer { i in
                if let weights {
                    return try weights.withUnsafeBufferPointer { try t.step(users: u, items: i, weights: $0) }
                }
                return try t.step(users: u, items: i)
            }
        }
    }

    @Test(arguments: [[SamplerSpecification.inBatch], [.inBatch, .uniform(count: 8)], [.uniform(count: 8)]])
    func stepAppliesTheLossGradient(samplers: [SamplerSpecification]) throws {
        let model = Self.model()
        let probe = try Self.trainer(model, learningRate: 1e-20, samplers: samplers)
        let stepper = try Self.trainer(model, learningRate: 1, samplers: samplers)
        let before = model.parameters.map(\.value)
        _ = try Self.step(stepper)
        let gradients = zip(before, model.parameters).map { b, p in
            Matrix(rows: b.rows, columns: b.columns, values: zip(b.storage, p.value.storage).map { $0 - $1 })
        }
        for (k, parameter) in model.parameters.enumerated() { parameter.value = before[k] }
        for (k, parameter) in model.parameters.enumerated() {
            let analytic = gradients[k]
            let error = try finiteDifferenceError(before[k], analytic: analytic) {
                parameter.value = $0
                defer { parameter.value = before[k] }
                return try Self.step(probe)
            }
            #expect(error < 5e-3, "\(parameter.name) with \(samplers)")
        }
        // The gradient is not zero (the check above could not pass vacuously).
        _ = try Self.step(stepper)
        #expect(zip(model.parameters, before).contains { $0.value != $1 })
    }

    /// `--loss-reduction sum`: the step applies the gradient of the summed loss (softmax, BPR, CCL),
    /// checked against central differences of the value the step returns.
    @Test(arguments: [RetrievalLoss.softmaxCrossEntropy, .bpr, .ccl])
    func sumReductionAppliesTheSummedLossGradient(loss: RetrievalLoss) throws {
        let model = Self.model(l2Normalize: loss == .ccl)
        if loss == .ccl {
            // Unit-scale embeddings: a finite-difference step then moves the cosines by about eps
            // (at the initial scale 0.05 it moves them 20× more, across the hinge's kinks).
            for p in model.parameters { p.value = Matrix(rows: p.value.rows, columns: p.value.columns, values: p.value.storage.map { 20 * $0 }) }
        }
        let samplers: [SamplerSpecification] = [.inBatch, .uniform(count: 8)]
        let probe = try Self.trainer(model, learningRate: 1e-20, samplers: samplers, loss: loss, reduction: .sum)
        let stepper = try Self.trainer(model, learningRate: 1, samplers: samplers, loss: loss, reduction: .sum)
        try Self.expectStepGradient(model, probe: probe, stepper: stepper, eps: loss == .ccl ? 1e-3 : 1e-2, "\(loss), sum")
    }

    /// Mean and sum differ by exactly B (5 rows): the step's loss and, with SGD, every update.
    @Test(arguments: [RetrievalLoss.softmaxCrossEntropy, .bpr, .ccl])
    func meanAndSumDifferByTheBatchSize(loss: RetrievalLoss) throws {
        let model = Self.model(l2Normalize: loss == .ccl)
        let b = Float(Self.users.count)
        let mean = try Self.trainer(model, learningRate: 0.1, samplers: [.inBatch], loss: loss, reduction: .mean)
        let sum = try Self.trainer(model, learningRate: 0.1, samplers: [.inBatch], loss: loss, reduction: .sum)
        let meanUpdate = try Self.appliedUpdate(model, mean), sumUpdate = try Self.appliedUpdate(model, sum)
        #expect(abs(sum.lastLoss - b * mean.lastLoss) <= 1e-6 * abs(sum.lastLoss))
        var worst: Float = 0, largest: Float = 0
        for (m, s) in zip(meanUpdate, sumUpdate) {
            for (x, y) in zip(m.storage, s.storage) {
                worst = max(worst, abs(y - b * x))
                largest = max(largest, abs(y))
            }
        }
        #expect(largest > 0)
        #expect(worst <= 1e-5 * largest, "\(loss): sum update differs from B × the mean's by \(worst) (largest \(largest))")
        // The default (nil) is the mean.
        let unset = try Self.trainer(model, learningRate: 0.1, samplers: [.inBatch], loss: loss)
        #expect(try Self.appliedUpdate(model, unset) == meanUpdate)
    }

    /// `--embedding-l2`: the step applies the gradient of loss + penalty (central differences of
    /// the value it returns), with corpus draws (the uniform sampler draws all 8 items, so the
    /// penalty does not depend on the draw's order) and with both reductions.
    @Test(arguments: [[SamplerSpecification.inBatch], [.inBatch, .uniform(count: 8)]], [RetrievalLoss.Reduction.mean, .sum])
    func embeddingL2AppliesThePenaltyGradient(samplers: [SamplerSpecification], reduction: RetrievalLoss.Reduction) throws {
        let model = Self.model()
        let probe = try Self.trainer(model, learningRate: 1e-20, samplers: samplers, reduction: reduction, embeddingL2: 0.7)
        let stepper = try Self.trainer(model, learningRate: 1, samplers: samplers, reduction: reduction, embeddingL2: 0.7)
        try Self.expectStepGradient(model, probe: probe, stepper: stepper, "embedding L2 \(samplers) \(reduction)")
    }

    /// The penalty the step adds equals `(λ/2)·Σ‖e‖²/B` over the users, the positives (the repeated
    /// item 3 twice) and every drawn item, computed here from the tables directly.
    @Test func embeddingL2AddsThePenaltyOfEveryLookedUpRow() throws {
        let model = Self.model()
        let lambda: Float = 0.7
        let samplers: [SamplerSpecification] = [.inBatch, .uniform(count: 8)]
        let plain = try Self.step(try Self.trainer(model, learningRate: 1e-20, samplers: samplers))
        let penalised = try Self.step(try Self.trainer(model, learningRate: 1e-20, samplers: samplers, embeddingL2: lambda))
        func squaredNorm(_ table: Matrix, _ row: Int32) -> Double {
            (0..<table.columns).reduce(0.0) { $0 + Double(table[Int(row), $1] * table[Int(row), $1]) }
        }
        let users = model.queryTower.idEmbedding.table.value, items = model.itemTower.idEmbedding.table.value
        let rows = Self.users.map { squaredNorm(users, $0) } + Self.items.map { squaredNorm(items, $0) }
            + (0..<8).map { squaredNorm(items, Int32($0)) }
        let expected = 0.5 * Double(lambda) * rows.reduce(0, +) / Double(Self.users.count)
        #expect(expected > 0)
        // The two losses are Floats near 2: their difference carries a few of their ulps.
        #expect(abs(Double(penalised - plain) - expected) <= 1e-5 * expected + 4 * Double(penalised.ulp),
                "penalty \(penalised - plain), expected \(expected)")
    }

    @Test func weightsScaleTheLoss() throws {
        let model = Self.model()
        let probe = try Self.trainer(model, learningRate: 1e-20, samplers: [.inBatch])
        let plain = try Self.step(probe, weights: nil)
        let doubled = try Self.step(probe, weights: [Float](repeating: 2, count: Self.users.count))
        #expect(plain.isFinite && plain > 0)
        #expect(abs(doubled - 2 * plain) <= 1e-6 * doubled)
    }
}

/// The block-driven scorer call keeps no state between a forward and its backward, and gives
/// what the sampler-driven (Merlin-shaped) call gives.
@Suite struct BlockScorerTests {
    let b = 5, d = 3
    let ids = [4, 1, 4, 7, 2]
    let corpusIds = [7, 5, 6]
    let cachedIds = [1, 8, 9, 4]

    func scorer(_ samplers: [any ItemSampler] = []) throws -> ItemRetrievalScorer {
        let table = try ItemFrequencyTable(frequencies: (0..<10).map { Float(10 - $0) })
        return ItemRetrievalScorer(samplers: samplers, logitsTemperature: 0.5,
                                   logQCorrection: .frequencyTable(table, regFactor: 0.7))
    }

    /// `[positives; corpus rows]`, and the blocks in-batch, cached, corpus.
    func inputs(seed: UInt64) -> (q: Matrix, items: Matrix, blocks: [NegativeBlock]) {
        let q = randomMatrix(rows: b, columns: d, seed: seed), i = randomMatrix(rows: b, columns: d, seed: seed + 1)
        let corpus = randomMatrix(rows: 3, columns: d, seed: seed + 2), cached = randomMatrix(rows: 4, columns: d, seed: seed + 3)
        var items = Matrix(rows: b + 3, columns: d)
        items.replaceRows(startingAt: 0, with: i)
        items.replaceRows(startingAt: b, with: corpus)
        let blocks = [NegativeBlock(.itemRows(0..<b), ids: ids, source: "in-batch"),
                      NegativeBlock(.detached(cached), ids: cachedIds, source: "cache"),
                      NegativeBlock(.itemRows(b ..< b + 3), ids: corpusIds, source: "corpus")]
        return (q, items, blocks)
    }

    func gradients(_ s: ItemRetrievalScorer, _ scores: ItemRetrievalScores) -> (loss: Float, query: Matrix, items: Matrix) {
        var g = Matrix(rows: 0, columns: 0)
        let loss = RetrievalLoss.softmaxCrossEntropy.lossAndGradient(logits: scores.logits, into: &g)
        let out = s.backward(scores, logitsGradient: &g)
        return (loss, Matrix(rows: out.query.rows, columns: d, values: out.query.storage),
                Matrix(rows: out.items.rows, columns: d, values: out.items.storage))
    }

    @Test func backwardDependsOnlyOnItsScores() throws {
        let s = try scorer()
        let a = inputs(seed: 1), other = inputs(seed: 11)
        let first = try s.trainingScores(query: a.q, items: a.items, positiveIds: ids, negatives: a.blocks)
        let alone = gradients(try scorer(), try scorer().trainingScores(query: a.q, items: a.items, positiveIds: ids, negatives: a.blocks))
        // Another forward (different inputs) in between does not change the first one's backward.
        let second = try s.trainingScores(query: other.q, items: other.items, positiveIds: ids, negatives: other.blocks)
        let late = gradients(s, first)
        #expect(late.loss == alone.loss && late.query == alone.query && late.items == alone.items)
        #expect(gradients(s, second).query != late.query)
        // Rows of the item matrix: positives, then the corpus rows; the cache's rows get nothing.
        #expect(late.items.rows == b + 3)
    }

    @Test func sameAsTheSamplerDrivenCall() throws {
        let a = inputs(seed: 5)
        var cachedRows = Matrix(rows: 0, columns: 0), corpusRows = Matrix(rows: 0, columns: 0)
        if case .detached(let m) = a.blocks[1].embeddings { cachedRows = m }
        corpusRows.assignRows(b ..< b + 3, of: a.items)
        var positives = Matrix(rows: 0, columns: 0)
        positives.assignRows(0..<b, of: a.items)
        let merlin = try scorer([InBatchSampler(), FixedSampler(rows: cachedRows, ids: cachedIds, flow: .none),
                                 FixedSampler(rows: corpusRows, ids: corpusIds, flow: .sampledItems)])
        let ms = try merlin(query: a.q, items: withIds(positives, ids), training: true)
        let mloss = merlin.lossAndGradient(ms)
        let mg = merlin.backward()

        let blocks = try scorer()
        let bs = try blocks.trainingScores(query: a.q, items: a.items, positiveIds: ids, negatives: a.blocks)
        #expect(bs.logits == ms.logits && bs.segments == ms.segments)
        #expect(bs.falseNegativeColumns == ms.falseNegativeColumns && bs.negativeItemIds == ms.negativeItemIds)
        let bg = gradients(blocks, bs)
        #expect(bg.loss == mloss && bg.query == mg.query)
        var positiveRows = Matrix(rows: 0, columns: 0), drawnRows = Matrix(rows: 0, columns: 0)
        positiveRows.assignRows(0..<b, of: bg.items)
        drawnRows.assignRows(b ..< b + 3, of: bg.items)
        #expect(positiveRows == mg.items)
        #expect(mg.sampledNegatives.count == 1 && drawnRows == mg.sampledNegatives[0].embeddings)
        #expect(mg.sampledNegatives[0].ids == corpusIds && mg.sampledNegatives[0].samplerIndex == 2)
    }

    @Test func blockErrorsNameTheBlock() throws {
        let s = try scorer()
        let a = inputs(seed: 2)
        #expect(throws: ScorerError.noSamplers) {
            _ = try s.trainingScores(query: a.q, items: a.items, positiveIds: ids, negatives: [])
        }
        let wide = NegativeBlock(.detached(Matrix(rows: 2, columns: d + 1)), ids: [1, 2], source: "cache")
        #expect(throws: ScorerError.dimensionMismatch(source: "cache", expected: d, found: d + 1)) {
            _ = try s.trainingScores(query: a.q, items: a.items, positiveIds: ids, negatives: [wide])
        }
        let noIds = NegativeBlock(.itemRows(b ..< b + 3), ids: [], source: "corpus")
        #expect(throws: ScorerError.missingItemIds(source: "corpus", feature: "item_id")) {
            _ = try s.trainingScores(query: a.q, items: a.items, positiveIds: ids, negatives: [noIds])
        }
        let empty = NegativeBlock(.itemRows(b..<b), ids: [], source: "corpus")
        #expect(throws: ScorerError.noNegatives(samplers: ["corpus"])) {
            _ = try s.trainingScores(query: a.q, items: a.items, positiveIds: ids, negatives: [empty])
        }
    }
}
