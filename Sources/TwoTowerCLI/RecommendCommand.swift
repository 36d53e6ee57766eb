import ArgumentParser
import TowerFormats
import TowerWorkflows
import TwoTower

struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Print the top-k items of a user from a saved model (exact brute-force search).")

    @Option(name: .long, help: ArgumentHelp("The model directory written by `train --output`.", valueName: "dir"))
    var model: String

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("A user id as in the training data (repeatable).", valueName: "id"))
    var user: [String]

    @Option(name: .long, parsing: .unconditional, help: "Number of items (clamped to the items left after excluding seen ones).")
    var k: Int = 10

    @Flag(name: .long, help: "Keep the user's training items in the ranking (excluded by default).")
    var includeSeen = false

    func validate() throws {
        guard k > 0 else { throw ValidationError("--k must be positive, found \(k)") }
        guard !user.isEmpty else { throw ValidationError("give at least one --user") }
    }

    func run() throws {
        let recommender = try Recommender(modelDirectory: model)
        try recommender.checkFiniteScores(path: model)  // the server's load check: no infinite scores
        for id in user {
            let items = try recommender.recommend(user: id, k: k, includeSeen: includeSeen)
            print("user \(id)")
            for (rank, item) in items.enumerated() {
                print("  \(rank + 1)\t\(item.item)\t\(item.score)")
            }
        }
    }
}
