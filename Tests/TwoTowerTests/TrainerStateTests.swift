import Foundation
import Testing
import TowerCore
import TowerDistributed
import TowerFormats
@testable import TwoTower

/// ``Trainer/stateTensorsOfAllRanks()`` and ``Trainer/restoreState(_:file:)`` on 2 ranks (threads):
/// new trainers restored from rank 0's tensors continue exactly as the saved ones, dropout
/// included (each rank's mask generator is saved and restored for its rank).
@Suite struct TrainerStateTests {
    static func makeTrainer(on communicator: any Communicator) throws -> (TwoTowerModel, Trainer) {
        var m = ModelConfiguration()
        m.tower = .mlp
        m.dimensions = 8
        m.hiddenLayers = [12]
        m.dropout = 0.3
        let model = TwoTowerModel(configuration: m, userCount: 40, itemCount: 25, seed: 5)
        var c = TrainingConfiguration()
        c.samplers = [.inBatch, .uniform(count: 8), .crossBatch(capacity: 64)]
        c.logQ = .streaming
        c.optimizer = .adam
        c.learningRate = 0.01
        c.batchSize = 16
        c.seed = 11
        return (model, try Trainer(model: model, configuration: c, itemCounts: (0..<25).map { $0 % 7 + 1 }, threads: 1,
                                   communicator: communicator))
    }

    static func steps(_ trainer: Trainer, _ range: Range<Int>) throws {
        for step in range {
            var g = SplitMix64(seed: UInt64(step))
            // 15 rows: slices of 8 and 7, so the ranks' dropout generators drift apart.
            let users = (0..<15).map { _ in Int32(g.next() % 40) }, items = (0..<15).map { _ in Int32(g.next() % 25) }
            try users.withUnsafeBufferPointer { u in try items.withUnsafeBufferPointer { i in _ = try trainer.step(users: u, items: i) } }
        }
    }

    @Test func twoRanksRestoredFromRankZerosTensorsContinueExactly() throws {
        let results = try DataParallelTests.onRanks(2) { communicator -> [[Float]] in
            let (model, trainer) = try Self.makeTrainer(on: communicator)
            try Self.steps(trainer, 0..<6)
            let saved = try trainer.stateTensorsOfAllRanks()
            try Self.steps(trainer, 6..<12)
            let uninterrupted = model.parameters.map(\.value.storage)

            // Every rank restores from the same tensors (what rank 0 writes).
            #expect(saved["dropout/query/0"]?.int64Vector != nil)
            let rankZero = try communicator.broadcast(Array(SafeTensors(tensors: saved).encoded()), root: 0)
            let tensors = try SafeTensors.decode(Data(rankZero)).tensors
            let (resumedModel, resumed) = try Self.makeTrainer(on: communicator)
            try resumed.restoreState(tensors, file: "state")
            try Self.steps(resumed, 6..<12)
            let again = resumedModel.parameters.map(\.value.storage)
            #expect(again == uninterrupted, "rank \(communicator.rank): the restored trainer diverged")
            #expect(tensors["dropout/query/0/rank1"] != nil && tensors["dropout/query/0/rank1"] != tensors["dropout/query/0"])
            return again
        }
        #expect(results[0] == results[1], "replicas stay bit-identical")
    }

    /// Without the per-rank generators (rank 1 takes rank 0's), rank 1's masks differ: the test
    /// above would catch a restore that ignored them.
    @Test func rankZerosDropoutGeneratorAloneDoesNotContinueRankOne() throws {
        let results = try DataParallelTests.onRanks(2) { communicator -> Bool in
            let (model, trainer) = try Self.makeTrainer(on: communicator)
            try Self.steps(trainer, 0..<6)
            var saved = try trainer.stateTensorsOfAllRanks()  // the same on every rank
            try Self.steps(trainer, 6..<12)
            let uninterrupted = model.parameters.map(\.value.storage)
            for key in saved.keys where key.contains("/rank") { saved[key] = nil }
            let (resumedModel, resumed) = try Self.makeTrainer(on: communicator)
            try resumed.restoreState(saved, file: "state")  // rank 1 falls back to rank 0's generators
            try Self.steps(resumed, 6..<12)
            return resumedModel.parameters.map(\.value.storage) == uninterrupted
        }
        #expect(results.contains(false))
    }
}
