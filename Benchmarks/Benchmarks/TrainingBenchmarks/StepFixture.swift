import Benchmark
import TowerCore
import TowerData
import TowerNN
import TwoTower

/// A warmed-up MF trainer (d=64, B=1024, in-batch, Adam, streaming logQ) on a synthetic log of
/// 50,000 interactions (1,000 users, 500 items), and the stages of its step for the part benchmarks.
///
/// Batches are copied out of a ``BatchIterator`` once at preparation, so the measured step is
/// `Trainer.step` alone.
final class StepFixture {
    static let batchSize = 1024
    static let interactions = 50_000
    static let warmupSteps = 20

    let threads: Int?
    private var trainer: Trainer?
    private var iterator: BatchIterator?
    private var batches: [(users: [Int32], items: [Int32])] = []
    private var next = 0
    // Part state.
    private var queries = Matrix(rows: 0, columns: 0)
    private var positives = Matrix(rows: 0, columns: 0)
    private var positiveIds: [Int] = []
    private var scores: ItemRetrievalScores?
    private var itemGradient = Matrix(rows: 0, columns: 0)
    private var queryGradient = Matrix(rows: 0, columns: 0)

    init(threads: Int?) { self.threads = threads }

    func prepare() throws {
        guard trainer == nil else { return }
        let data = SyntheticDataset.generate(SyntheticConfiguration(
            users: Self.interactions / 50, items: Self.interactions / 100, interactions: Self.interactions, seed: 7))
        let log = data.log.orderedByFrequency()
        var model = ModelConfiguration()
        model.tower = .mf
        model.dimensions = 64
        var training = TrainingConfiguration()
        training.batchSize = Self.batchSize
        training.optimizer = .adam
        training.samplers = [.inBatch]
        let twoTower = TwoTowerModel(configuration: model, userCount: log.userCount, itemCount: log.itemCount, seed: 1)
        let trainer = try Trainer(model: twoTower, configuration: training, itemCounts: log.rowCounts().items, threads: threads)
        let iterator = BatchIterator(log: log, batchSize: Self.batchSize, dropLast: true, seed: 1)
        iterator.startEpoch(0)
        while let b = iterator.next() { batches.append((Array(b.users), Array(b.items))) }
        iterator.startEpoch(1)
        self.trainer = trainer
        self.iterator = iterator
        for _ in 0..<Self.warmupSteps { try step() }
        // Part state from one real step's shapes.
        let b = batches[0]
        positiveIds = b.items.map { Int($0) }
        // Own copies: holding the towers' output buffers would make their next forward copy-on-write.
        queries = Self.copy(trainer.model.queryTower.forward(rows: b.users, training: true))
        positives = Self.copy(trainer.model.itemTower.forward(rows: b.items, training: true))
        try scorerForward()
        itemGradient = Matrix(rows: Self.batchSize, columns: 64, values: [Float](repeating: 1e-4, count: Self.batchSize * 64))
        queryGradient = itemGradient
    }

    static func copy(_ m: Matrix) -> Matrix {
        Matrix(rows: m.rows, columns: m.columns, values: m.storage.map { $0 })
    }

    /// One `Trainer.step` on the next stored batch.
    @inline(never)
    func step() throws {
        let b = batches[next]
        next = (next + 1) % batches.count
        try b.users.withUnsafeBufferPointer { users in
            try b.items.withUnsafeBufferPointer { items in
                _ = try trainer!.step(users: users, items: items)
            }
        }
    }

    func towerForward() {
        let b = batches[0], model = trainer!.model
        blackHole(model.itemTower.forward(rows: b.items, training: true))
        blackHole(model.queryTower.forward(rows: b.users, training: true))
    }

    func makeBatch() throws {
        blackHole(try EmbeddingWithMetadata(embeddings: positives, metadata: ["item_id": positiveIds]))
    }

    func scorerForward() throws {
        scores = nil
        let batch = try EmbeddingWithMetadata(embeddings: positives, metadata: ["item_id": positiveIds])
        scores = try trainer!.scorer(query: queries, items: batch, training: true)
    }

    func scorerLossAndBackward() throws {
        let scorer = trainer!.scorer
        blackHole(scorer.lossAndGradient(scores!, loss: .softmaxCrossEntropy))
        blackHole(scorer.backward().query.rows)
    }

    func towerBackward() {
        let model = trainer!.model
        model.itemTower.backward(itemGradient)
        model.queryTower.backward(queryGradient)
    }

    func optimizerStep() {
        let trainer = trainer!
        trainer.optimizer.step(trainer.model.parameters)
    }

    func nextBatch() {
        let iterator = iterator!
        if let b = iterator.next() { blackHole(b.count) } else { iterator.startEpoch(iterator.epoch + 1) }
    }
}
