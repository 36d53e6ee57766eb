import ArgumentParser
import Foundation
import TowerFormats
import TowerWorkflows
import TwoTower

struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Print the top-k items of users from a saved model (exact brute-force search).",
        discussion: """
            Text output: per user a `user ID` line, a column header and `rank item score [title]` \
            lines; titles come from movies.csv (movies.dat, u.item) beside MovieLens ratings \
            recorded in the model. --json writes JSON Lines instead, one object per user: \
            {"user": ID, "items": [{"item": ID, "score": S, "title": T}, ...], "history": [...]}. \
            --all-users ranks every user in blocks of --block users through the index (bounded \
            memory, a progress line on standard error) and writes a TSV `user rank item score \
            [title]` table (JSON Lines with --json, text blocks with --show-history) to --out \
            atomically, or to standard output. --show-history N prints each user's N most recent \
            training items before the recommendations, read back through the data recorded in the \
            model (an error if it moved or changed).

            Examples:
              twotower recommend --model model --user 1 --k 10 --show-history 5
              twotower recommend --model model --user 1 --user 2 --json
              twotower recommend --model model --all-users --k 100 --out top100.tsv
            """)

    @Option(name: .long, help: ArgumentHelp("The model directory written by `train --output`.", valueName: "dir"))
    var model: String

    @Option(name: .long, parsing: .singleValue, help: ArgumentHelp("A user id as in the training data (repeatable).", valueName: "id"))
    var user: [String] = []

    @Flag(name: .long, help: "Recommend for every user of the model (a batch job; see --out and --block).")
    var allUsers = false

    @Option(name: .long, parsing: .unconditional, help: "Number of items (clamped to the items left after excluding seen ones).")
    var k: Int = 10

    @Flag(name: .long, help: "Keep the user's training items in the ranking (excluded by default).")
    var includeSeen = false

    @Flag(name: .long, help: "Write JSON Lines (one object per user) instead of text.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("Write the results to this file (atomically) instead of standard output.", valueName: "file"))
    var out: String?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp(
        "Show each user's N most recent training items first (needs the data recorded in the model).", valueName: "n"))
    var showHistory: Int?

    @Option(name: .long, parsing: .unconditional, help: "--all-users: users per search block (memory: block × (d + k) floats).")
    var block: Int = 1024

    func validate() throws {
        try OptionApplicability.enforce(OptionApplicability.recommend(self))
        guard k > 0 else { throw ValidationError("--k must be positive, found \(k)") }
        guard block > 0 else { throw ValidationError("--block must be positive, found \(block)") }
        if let n = showHistory, n <= 0 { throw ValidationError("--show-history must be positive, found \(n)") }
        guard !user.isEmpty || allUsers else { throw ValidationError("give at least one --user, or --all-users") }
    }

    func run() throws {
        let recommender = try namingFlags { try Recommender(modelDirectory: model) }
        try recommender.checkFiniteScores(path: model)  // the server's load check: no infinite scores
        let checkpoint = recommender.checkpoint
        let (listing, titleNote) = RecommendationListing.forModel(checkpoint)
        if let titleNote { printDiagnostic("note: \(titleNote)") }
        let c = checkpoint.configuration
        printDiagnostic("model: \(model) (\(c.model.tower.rawValue), \(c.model.dimensions) dims, \(c.userCount) users, \(c.itemCount) items), trained on \(c.dataName)\(listing.titles.isEmpty ? "" : "; titles shown")")
        let rows = try user.map { try recommender.row(ofUser: $0) }
        var history: [[String]]? = nil
        if let n = showHistory {
            let recent = try recommender.recentTrainingItems(count: n)
            printDiagnostic("note: \(recent.note)")
            history = recent.lists
        }
        func entry(_ id: String, _ row: Int32, _ items: [Recommendation]) throws -> String {
            let h = history?[Int(row)]
            return json ? try listing.jsonLine(user: id, items: items, history: h) : listing.text(user: id, items: items, history: h)
        }
        try write { sink in
            if allUsers {
                if !json && history == nil { try sink(listing.tableHeader) }
                let bar = ProgressLine(label: "recommend", total: checkpoint.users.count)
                try recommender.recommendAllUsers(k: k, includeSeen: includeSeen, block: block, progress: bar.update) { id, items in
                    if json || history != nil {
                        try sink(try entry(id, try checkpoint.users.row(for: id), items))
                    } else {
                        try sink(listing.tableRows(user: id, items: items))
                    }
                }
                bar.finish()
            } else {
                let lists = try recommender.recommend(rows: rows, k: k, includeSeen: includeSeen, threads: 1)
                for (i, id) in user.enumerated() { try sink(try entry(id, rows[i], lists[i])) }
            }
        }
        if let out { printDiagnostic("wrote \(allUsers ? "\(checkpoint.users.count) users" : "\(user.count) users") to \(out)") }
    }

    /// Runs `body` with a line sink: standard output, or the `--out` file written atomically.
    private func write(_ body: ((String) throws -> Void) throws -> Void) throws {
        guard let out else {
            try body { print($0) }
            return
        }
        try AtomicFile.write(to: out) { writer in
            try body { line in try writer.write(Array((line + "\n").utf8)) }
        }
    }
}
