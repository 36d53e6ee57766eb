import ArgumentParser
import Foundation
import TowerCore
import TowerData
import TwoTower

/// `twotower-bench serving-model`: writes a synthetic model directory (randomly initialised MF
/// towers, random training items per user) of any size, for load tests of `twotower serve`
/// (Benchmarks/serve-load.sh). Its rankings are meaningless; its shapes and costs are real.
struct ServingModelBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serving-model",
        abstract: "Write a synthetic model directory (random MF towers) for serving load tests.")

    @Option(help: "Items.") var items = 100_000
    @Option(help: "Users.") var users = 10_000
    @Option(help: "Embedding dimension.") var dim = 64
    @Option(help: "Training items per user (excluded as seen).") var seen = 20
    @Option(help: "Seed.") var seed: UInt64 = 7
    @Option(help: ArgumentHelp("Model directory to write.", valueName: "dir")) var output: String

    func validate() throws {
        guard items >= 1, users >= 1, dim >= 1, seen >= 0 else {
            throw ValidationError("--items, --users and --dim must be positive and --seen at least 0")
        }
        guard seen < items else {
            throw ValidationError("--seen \(seen) must be less than --items \(items) (a user's seen items are distinct, and some must stay to recommend)")
        }
    }

    func run() throws {
        let start = Date()
        var rng = Xoshiro256(seed: seed)
        var userRows: [Int32] = [], itemRows: [Int32] = []
        userRows.reserveCapacity(users * seen); itemRows.reserveCapacity(users * seen)
        for u in 0..<users {
            for _ in 0..<seen {
                userRows.append(Int32(u))
                itemRows.append(Int32.random(in: 0..<Int32(items), using: &rng))
            }
        }
        let userVocabulary = Vocabulary(name: "user", ids: (0..<users).map { "u\($0)" })
        let itemVocabulary = Vocabulary(name: "item", ids: (0..<items).map { "i\($0)" })
        let log = InteractionLog(users: userRows, items: itemRows, userVocabulary: userVocabulary, itemVocabulary: itemVocabulary)
        var model = ModelConfiguration()
        model.dimensions = dim
        let twoTower = TwoTowerModel(configuration: model, userCount: users, itemCount: items, seed: seed)
        try ModelCheckpoint.save(twoTower, training: TrainingConfiguration(), userVocabulary: userVocabulary,
                                 itemVocabulary: itemVocabulary, trainItemsByUser: UserItemLists(log),
                                 dataName: "synthetic-serving-\(items)x\(dim)", to: output)
        print("wrote \(output): \(items) items, \(users) users, d=\(dim) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }
}
