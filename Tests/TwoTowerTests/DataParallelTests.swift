import Foundation
import Testing
import TowerCore
import TowerDistributed
@testable import TwoTower

/// Data-parallel training with global in-batch negatives: N ranks (threads of this process, a
/// ``ThreadGroupCommunicator``) with slices of a global batch B compute what one process computes
/// with batch B — per-step losses and final parameters within 1e-5 relative — and every replica
/// stays bit-identical. The same under `mpirun` is checked by `twotower-bench data-parallel`.
@Suite struct DataParallelTests {
    struct Scenario: Sendable {
        var tower: ModelConfiguration.TowerKind = .mf
        var samplers: [SamplerSpecification] = [.inBatch]
        var logQ: LogQMode = .streaming
        var optimizer: OptimizerKind = .adam
        var batchSize = 32
        var steps = 50
        var users = 40, items = 25
        var weighted = false
        var learningRate: Float = 0.01
        /// Compare the final parameters (see ``scenarios`` for the one case that does not).
        var comparesParameters = true
        var reduction: RetrievalLoss.Reduction = .mean
        /// CCL turns on L2 normalisation (and needs `logQ: .none`).
        var loss: RetrievalLoss = .softmaxCrossEntropy
        /// ``TrainingConfiguration/embeddingL2`` (corpus draws count once over the ranks).
        var embeddingL2: Float? = nil
    }

    /// Batches drawn from a seeded generator; small catalogues make the same item appear in the
    /// slices of several ranks (masking must use global ids).
    static func batches(_ s: Scenario) -> [(users: [Int32], items: [Int32], weights: [Float])] {
        var g = SplitMix64(seed: 7)
        return (0..<s.steps).map { step in
            // Every fifth batch is 3 rows short, so it does not divide evenly between ranks.
            let rows = step % 5 == 4 ? s.batchSize - 3 : s.batchSize
            let users = (0..<rows).map { _ in Int32(g.next() % UInt64(s.users)) }
            let items = (0..<rows).map { _ in Int32(g.next() % UInt64(s.items)) }
            let weights = (0..<rows).map { _ in Float(g.next() % 4 + 1) / 2 }
            return (users, items, weights)
        }
    }

    /// The model and trainer of `scenario` on `communicator` (the same initial parameters on every rank).
    static func makeTrainer(_ s: Scenario, on communicator: any Communicator = SingleProcessCommunicator(),
                            scope: NegativeScope = .global) throws -> (TwoTowerModel, Trainer) {
        var m = ModelConfiguration()
        m.tower = s.tower
        m.dimensions = 8
        m.hiddenLayers = [12]
        m.l2Normalize = s.loss == .ccl
        let model = TwoTowerModel(configuration: m, userCount: s.users, itemCount: s.items, seed: 5)
        var c = TrainingConfiguration()
        c.samplers = s.samplers
        c.logQ = s.logQ
        c.optimizer = s.optimizer
        c.learningRate = s.learningRate
        c.batchSize = s.batchSize
        c.seed = 11
        c.loss = s.loss
        c.lossReduction = s.reduction
        c.embeddingL2 = s.embeddingL2
        if s.loss == .ccl { c.cclMargin = 0.2 }
        let counts = (0..<s.items).map { $0 % 7 + 1 }
        let trainer = try Trainer(model: model, configuration: c, itemCounts: counts, threads: 1,
                                  communicator: communicator, negativeScope: scope)
        return (model, trainer)
    }

    /// Trains `scenario` on `communicator` and returns the per-step losses and the final parameters.
    static func train(_ s: Scenario, on communicator: any Communicator,
                      scope: NegativeScope = .global) throws -> (losses: [Float], parameters: [[Float]]) {
        let (model, trainer) = try makeTrainer(s, on: communicator, scope: scope)
        var losses: [Float] = []
        for batch in batches(s) {
            let loss = try batch.users.withUnsafeBufferPointer { u in
                try batch.items.withUnsafeBufferPointer { i in
                    try batch.weights.withUnsafeBufferPointer { w in
                        try trainer.step(users: u, items: i, weights: s.weighted ? w : nil)
                    }
                }
            }
            losses.append(loss)
        }
        return (losses, model.parameters.map(\.value.storage))
    }

    /// Runs `body` on `ranks` threads, one per member of a new group, and returns their results in rank order.
    static func onRanks<R: Sendable>(_ ranks: Int, _ body: @escaping @Sendable (ThreadGroupCommunicator) throws -> R) throws -> [R] {
        let group = ThreadGroupCommunicator.makeGroup(size: ranks)
        let results = Results<R>(count: ranks)
        let done = DispatchGroup()
        for member in group {
            done.enter()
            let thread = Thread {
                results.set(member.rank, Result { try body(member) })
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return try results.values.map { try $0!.get() }
    }

    final class Results<R: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var values: [Result<R, any Error>?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Result<R, any Error>) { lock.withLock { values[index] = value } }
    }

    /// `max|a − b|` over the largest `|a|`, or over 0.05 (the embeddings' initial scale) when all
    /// of `a` is smaller: a bias that stays near zero is compared on that scale.
    static func relativeDifference(_ a: [Float], _ b: [Float], floor: Float = 0.05) -> Float {
        precondition(a.count == b.count)
        let scale = max(a.map(abs).max() ?? 0, floor)
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
    }

    /// MF with Adam; MLP with SGD. MLP with Adam is compared on its losses only: the item tower's
    /// output bias shifts every logit of a row equally, so its exact gradient is zero (softmax is
    /// shift-invariant) and what it receives is rounding noise, which Adam (and Adagrad) divide by
    /// its own magnitude into full-size steps — that one vector then differs between any two
    /// summation orders, even between two single-process runs with different thread counts.
    static let scenarios: [Scenario] = [
        Scenario(),
        Scenario(samplers: [.inBatch, .uniform(count: 10)], weighted: true),
        Scenario(samplers: [.inBatch, .crossBatch(capacity: 48)]),
        Scenario(tower: .mlp, optimizer: .sgd, learningRate: 0.2),
        Scenario(tower: .mlp, samplers: [.inBatch, .uniform(count: 10)], logQ: .static, optimizer: .sgd, learningRate: 0.2),
        Scenario(tower: .mlp, comparesParameters: false),
        // --loss-reduction sum: each rank's gradient is its own rows' sum (factor 1, not b/B).
        Scenario(samplers: [.inBatch, .uniform(count: 10)], optimizer: .adagrad, weighted: true, learningRate: 0.05, reduction: .sum),
        Scenario(logQ: .none, optimizer: .sgd, learningRate: 0.01, reduction: .sum, loss: .bpr),
        Scenario(samplers: [.inBatch, .uniform(count: 10)], logQ: .none, optimizer: .sgd, learningRate: 0.5, loss: .ccl),
        // --embedding-l2: each rank penalises its own users and positives, and the shared draws / N.
        Scenario(samplers: [.inBatch, .uniform(count: 10)], embeddingL2: 0.05),
        Scenario(samplers: [.inBatch, .uniform(count: 10)], optimizer: .sgd, learningRate: 0.01, reduction: .sum, embeddingL2: 0.5),
    ]

    @Test(arguments: scenarios.indices, [2, 4])
    func globalNegativesOnNRanksEqualOneProcessWithTheWholeBatch(scenario: Int, ranks: Int) throws {
        let s = Self.scenarios[scenario]
        let alone = try Self.train(s, on: SingleProcessCommunicator())
        let together = try Self.onRanks(ranks) { try Self.train(s, on: $0) }
        for rank in 0..<ranks {
            #expect(together[rank].losses == together[0].losses, "rank \(rank)'s losses differ from rank 0's")
            #expect(together[rank].parameters == together[0].parameters, "rank \(rank)'s replica differs from rank 0's")
        }
        let lossDifference = Self.relativeDifference(alone.losses, together[0].losses, floor: 0)
        #expect(lossDifference < 1e-5, "per-step losses differ by \(lossDifference) relative")
        for (k, (a, b)) in zip(alone.parameters, together[0].parameters).enumerated() where s.comparesParameters {
            let d = Self.relativeDifference(a, b)
            #expect(d < 1e-5, "parameter \(k) differs by \(d) relative after \(s.steps) steps")
        }
        // The run changed the parameters (an idle run would also agree).
        var idle = s
        idle.steps = 0
        let initial = try Self.train(idle, on: SingleProcessCommunicator())
        // Every parameter moved, but the MLP item tower's output bias (zero gradient, see `scenarios`).
        let moved = zip(initial.parameters, alone.parameters).filter { Self.relativeDifference($0, $1) > 1e-4 }.count
        #expect(moved >= alone.parameters.count - (s.tower == .mlp ? 1 : 0), "only \(moved) of \(alone.parameters.count) parameters moved")
    }

    /// `--negatives local` is what TFRS/Merlin do under Horovod: rank r's loss is that of its own
    /// slice scored against its own slice only, and the global loss is the rows-weighted mean.
    /// With corpus draws and the embedding L2 penalty, each slice alone penalises the draws in full.
    static let localScenarios = [
        Scenario(samplers: [.inBatch], logQ: .static, batchSize: 10, steps: 1, items: 6),
        Scenario(samplers: [.inBatch, .uniform(count: 4)], logQ: .static, batchSize: 10, steps: 1, items: 6, embeddingL2: 0.5),
    ]

    @Test(arguments: localScenarios.indices)
    func localNegativesScoreEachSliceAgainstItself(scenario: Int) throws {
        let s = Self.localScenarios[scenario]
        let batch = Self.batches(s)[0]
        let together = try Self.onRanks(2) { try Self.train(s, on: $0, scope: .local) }
        var expected: Float = 0
        for rank in 0..<2 {
            let rows = SingleProcessCommunicator.slice(of: 10, rank: rank, size: 2)
            var one = s
            one.batchSize = rows.count
            let sliceBatch = (Array(batch.users[rows]), Array(batch.items[rows]))
            let loss = try Self.trainOneBatch(one, users: sliceBatch.0, items: sliceBatch.1)
            expected += loss * Float(rows.count) / 10
        }
        #expect(abs(together[0].losses[0] - expected) <= 1e-6 * abs(expected))
        let global = try Self.onRanks(2) { try Self.train(s, on: $0, scope: .global) }
        let alone = try Self.train(s, on: SingleProcessCommunicator())
        #expect(abs(global[0].losses[0] - alone.losses[0]) <= 1e-6 * abs(alone.losses[0]))
        // More in-batch negatives per row: the global loss is the larger one here (log of 10 vs 5 candidates).
        #expect(global[0].losses[0] > together[0].losses[0])
    }

    static func trainOneBatch(_ s: Scenario, users: [Int32], items: [Int32]) throws -> Float {
        let (_, trainer) = try makeTrainer(s)
        return try users.withUnsafeBufferPointer { u in try items.withUnsafeBufferPointer { try trainer.step(users: u, items: $0) } }
    }

    @Test func aBatchWithFewerRowsThanRanksIsAnErrorOnEveryRank() throws {
        let results = try Self.onRanks(4) { member -> String in
            var m = ModelConfiguration()
            m.dimensions = 4
            let model = TwoTowerModel(configuration: m, userCount: 5, itemCount: 5, seed: 1)
            let trainer = try Trainer(model: model, configuration: TrainingConfiguration(), itemCounts: [1, 1, 1, 1, 1],
                                      threads: 1, communicator: member)
            let users: [Int32] = [0, 1, 2], items: [Int32] = [0, 1, 2]
            do {
                _ = try users.withUnsafeBufferPointer { u in try items.withUnsafeBufferPointer { try trainer.step(users: u, items: $0) } }
                return "trained"
            } catch let error as TrainingError {
                return "\(error)"
            }
        }
        for message in results { #expect(message.contains("3 rows cannot be split across 4 ranks")) }
    }
}

@Suite struct ThreadGroupCommunicatorTests {
    @Test func collectivesMatchWhatEachRankComputesAlone() throws {
        let results = try DataParallelTests.onRanks(3) { c -> [[Float]] in
            let r = Float(c.rank)
            let gathered = try c.allGather([r, r + 0.5])
            let v = try c.allGatherV([Float](repeating: r, count: c.rank + 1))
            let scattered = try c.reduceScatterSum([1, 2, 3, 4, 5, 6].map { $0 * (r + 1) }, counts: [1, 2, 3])
            let root = try c.broadcast([r * 10], root: 2)
            let sum = try c.allReduceSum([r, 1])
            try c.barrier()
            return [gathered, v.values, v.counts.map(Float.init), scattered, root, sum]
        }
        for (rank, r) in results.enumerated() {
            #expect(r[0] == [0, 0.5, 1, 1.5, 2, 2.5])
            #expect(r[1] == [0, 1, 1, 2, 2, 2])
            #expect(r[2] == [1, 2, 3])
            let all: [Float] = [1, 2, 3, 4, 5, 6].map { $0 * 6 }  // (1 + 2 + 3) × each
            let mine = [[0], [1, 2], [3, 4, 5]][rank].map { all[$0] }
            #expect(r[3] == mine)
            #expect(r[4] == [20])
            #expect(r[5] == [3, 3])
        }
    }

    @Test func mismatchedAllGatherLengthsFailOnEveryRank() throws {
        let results = try DataParallelTests.onRanks(2) { c -> Bool in
            do { _ = try c.allGather([Float](repeating: 0, count: c.rank + 1)); return false } catch { return true }
        }
        #expect(results == [true, true])
    }
}
