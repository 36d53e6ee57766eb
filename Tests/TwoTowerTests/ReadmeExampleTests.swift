// The README's library example, verbatim: `readmeExampleIsThisFile` below fails when the README's
// block and the lines between the two markers differ, so the example always compiles and runs.
// README example: begin
import TwoTower

/// Trains a two-tower model on (user, item) pairs in memory, saves it to `directory`, loads it
/// back and returns `user`'s top `k` items with their scores (items the user already has left out).
func topItems(for user: String, k: Int, pairs: [(String, String)], directory: String) throws -> [Recommendation] {
    var model = ModelConfiguration()        // matrix factorisation; .mlp towers read side features
    model.dimensions = 16
    var training = TrainingConfiguration()  // in-batch negatives, streaming logQ, Adam
    training.epochs = 40
    training.batchSize = 64
    let trained = try TrainedModel.train(pairs: pairs, model: model, training: training)

    try trained.save(to: directory)         // config.json, model.safetensors, users/items.vocab
    let recommender = try Recommender(modelDirectory: directory)  // or Recommender(trained): no files
    return try recommender.recommend(user: user, k: k)             // includeSeen: true keeps them
}
// README example: end

import Foundation
import Testing
import TowerCore
import TowerTestSupport

/// The README's example trains, saves, loads and recommends; the in-memory path gives what the
/// saved model gives.
@Suite struct ReadmeExampleTests {
    /// Two communities of 40 users, each taking 8 of its own 20 items (a seeded draw): a user's
    /// unseen items of its own community are what a model that learned anything ranks first.
    static func communities() -> (pairs: [(String, String)], seen: [String: Set<String>]) {
        var rng = Xoshiro256(seed: 7)
        var pairs: [(String, String)] = [], seen: [String: Set<String>] = [:]
        for group in ["a", "b"] {
            for u in 0..<40 {
                let user = "\(group)-user-\(u)"
                var items = Set<String>()
                while items.count < 8 { items.insert("\(group)\(Int.random(in: 0..<20, using: &rng))") }
                for item in items.sorted() { pairs.append((user, item)) }
                seen[user] = items
            }
        }
        return (pairs, seen)
    }

    @Test func theExampleRecommendsUnseenItemsOfTheUsersCommunity() throws {
        let (pairs, seen) = Self.communities()
        let directory = temporaryDirectory("readme-example")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var own = 0, total = 0
        for user in ["a-user-0", "a-user-17", "b-user-3", "b-user-39"] {
            let top = try topItems(for: user, k: 5, pairs: pairs, directory: directory)
            #expect(top.count == 5)
            #expect(top.allSatisfy { !seen[user]!.contains($0.item) }, "\(user) got an item it has: \(top)")
            #expect(zip(top, top.dropFirst()).allSatisfy { $0.score >= $1.score })
            own += top.filter { $0.item.first == user.first }.count
            total += top.count
        }
        // Chance (uniform over the unseen items: 12 of the own community's, 20 of the other's) is 37.5%.
        #expect(Double(own) / Double(total) >= 0.9, "\(own) of \(total) recommendations from the user's own community")
        #expect(FileManager.default.fileExists(atPath: directory + "/model.safetensors"))
    }

    @Test func aRecommenderOfTheModelInMemoryEqualsTheSavedOne() throws {
        let (pairs, _) = Self.communities()
        var training = TrainingConfiguration()
        training.epochs = 3
        training.batchSize = 64
        let trained = try TrainedModel.train(pairs: pairs, training: training)
        #expect(trained.summary.epochs == 3)
        #expect(trained.checkpoint.configuration.training.patience == nil)
        let directory = temporaryDirectory("readme-in-memory")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try trained.save(to: directory)
        let inMemory = try Recommender(trained), loaded = try Recommender(modelDirectory: directory)
        #expect(loaded.checkpoint.users == trained.checkpoint.users && loaded.checkpoint.items == trained.checkpoint.items)
        #expect(loaded.checkpoint.configuration == trained.checkpoint.configuration)
        #expect(loaded.checkpoint.trainItemsByUser == trained.checkpoint.trainItemsByUser)
        #expect(loaded.index.items.storage == inMemory.index.items.storage)
        for user in ["a-user-1", "b-user-2"] {
            for includeSeen in [false, true] {
                #expect(try loaded.recommend(user: user, k: 7, includeSeen: includeSeen)
                        == inMemory.recommend(user: user, k: 7, includeSeen: includeSeen))
            }
        }
        // Unknown users name the in-memory model, not a directory.
        #expect(throws: ConfigurationError.self) { try inMemory.recommend(user: "carol", k: 3) }
        do {
            _ = try inMemory.row(ofUser: "carol")
            Issue.record("an unknown user found a row")
        } catch {
            #expect("\(error)".contains("the model (in memory) was trained on 80 users"), "\(error)")
        }
    }

    @Test func badPairsAreErrorsNamingThePair() {
        #expect(throws: DataError.invalidRequest("in-memory interactions: pair 1: item id \" \": expected a non-empty id without control characters (tab, newline, CR, NUL…)")) {
            try TrainedModel.train(pairs: [("ann", "alien"), ("ann", " ")])
        }
        #expect(throws: DataError.self) { try InteractionLog(pairs: [("ann\n", "alien")]) }
        #expect(throws: DataError.invalidRequest("in-memory interactions: 2 users but 1 items; every column needs one value per pair")) {
            try InteractionLog(users: ["a", "b"], items: ["x"])
        }
        #expect(throws: DataError.self) { try InteractionLog(users: ["a"], items: ["x"], weights: [-1]) }
        #expect(throws: TrainingError.emptyTrainingData) { try TrainedModel.train(pairs: [(String, String)]()) }
        #expect(throws: ConfigurationError.self) { try TrainedModel.train(pairs: [("ann", "alien")]) }  // one row: no negative
    }

    @Test func idsAreTrimmedAndComparedAsBytes() throws {
        let log = try InteractionLog(pairs: [(" ann ", "caf\u{E9}"), ("ann", "cafe\u{301}"), ("bob", "caf\u{E9}")])
        #expect(log.userVocabulary.ids == ["ann", "bob"])
        #expect(log.itemVocabulary.count == 2)  // NFC é and NFD e + U+0301 are two ids
        #expect(log.userVocabulary.counts == [2, 1] && log.itemVocabulary.counts == [2, 1])
        #expect(log.users == [0, 0, 1] && log.items == [0, 1, 0])
    }

    /// The README's ```swift block that starts with `import TwoTower` is the code between this
    /// file's markers, line for line, and fits in 30 lines.
    @Test func readmeExampleIsThisFile() throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let source = try String(contentsOf: here, encoding: .utf8)
        let sourceLines = source.components(separatedBy: "\n")
        let begin = try #require(sourceLines.firstIndex(of: "// README example: begin"))
        let end = try #require(sourceLines.firstIndex(of: "// README example: end"))
        let example = Array(sourceLines[(begin + 1)..<end])
        let readmeLines = readme.components(separatedBy: "\n")
        let start = try #require(readmeLines.indices.first { readmeLines[$0] == "```swift" && readmeLines[$0 + 1] == "import TwoTower" },
                                 "README.md has no ```swift block starting with import TwoTower")
        let close = try #require(readmeLines[(start + 1)...].firstIndex(of: "```"))
        let block = Array(readmeLines[(start + 1)..<close])
        #expect(block == example, "README.md's example differs from \(here.lastPathComponent): first differing line \(zip(block, example).first { $0 != $1 }.map { "\($0)" } ?? "(lengths \(block.count) and \(example.count))")")
        #expect(block.count <= 30)
    }
}
