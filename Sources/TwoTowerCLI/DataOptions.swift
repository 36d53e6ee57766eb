import ArgumentParser
import TowerData
import TowerFormats
import TowerWorkflows
import TwoTower

/// The input data options shared by `train`, `evaluate` and `inspect`.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Interaction file (or MovieLens/LightGCN directory). Without it, the built-in synthetic dataset is used.",
        valueName: "path"))
    var data: String?

    @Option(name: .long, help: "Input format: csv, tsv, movielens or lightgcn (default: from the file name).")
    var format: DataSource.Format?

    @Option(name: .long, help: "csv/tsv: column holding the user id. (default: user_id)")
    var userColumn: String?

    @Option(name: .long, help: "csv/tsv: column holding the item id. (default: item_id)")
    var itemColumn: String?

    @Option(name: .long, help: "csv/tsv: column holding the timestamp (enables leave-last-out).")
    var timestampColumn: String?

    @Option(name: .long, help: "csv/tsv: column holding the rating or weight.")
    var ratingColumn: String?

    @Option(name: .long, parsing: .unconditional, help: "Keep only interactions rated at least this (default: every rated item is an interaction).")
    var minRating: Float?

    @Option(name: .long, help: ArgumentHelp("A test file in the same format (LightGCN test.txt, ...); replaces --split.", valueName: "path"))
    var test: String?

    @Option(name: .long, help: ArgumentHelp(
        "How to hold out test data: leave-last-out, leave-one-out, ratio:0.8 (per user, 80% train, 20% test), ratio:0.7:0.1 (with 10% validation) or time:UNIX_SECONDS (default: leave-last-out when timestamps exist, else leave-one-out). With early stopping (the default) the validation set comes out of the training part (ratio:T: 0.1 of the interactions; the others: one per user), never out of the test part; the run prints how many went to validation.",
        valueName: "split"))
    var split: String?

    @Flag(name: .long, help: "Skip malformed lines (counted and reported) instead of stopping at the first one.")
    var skipBadLines = false

    func validate() throws {
        if test != nil && split != nil { throw ValidationError("--test and --split cannot be used together") }
        if data == nil && (test != nil || format != nil) {
            throw ValidationError("--test and --format need --data")
        }
        if let r = minRating, r.isNaN { throw ValidationError("--min-rating must be a number") }
        if let r = minRating, r.isInfinite {
            throw ValidationError("--min-rating is out of range: ratings are 32-bit floats, at most ±\(Float.greatestFiniteMagnitude)")
        }
        let columns = [("--user-column", userColumn), ("--item-column", itemColumn), ("--timestamp-column", timestampColumn),
                       ("--rating-column", ratingColumn)].compactMap { flag, name in name.map { (flag, $0) } }
        for (k, a) in columns.enumerated() {
            if let b = columns[(k + 1)...].first(where: { $0.1 == a.1 }) {
                throw ValidationError("\(a.0) and \(b.0) name the same column \"\(a.1)\": each role needs its own column")
            }
        }
    }
}

extension DataSource.Format: ExpressibleByArgument {}

extension DataOptions {
    /// The library's description of this data.
    func source() throws -> DataSource {
        var source = DataSource()
        source.path = data
        source.format = format
        source.userColumn = userColumn ?? "user_id"
        source.itemColumn = itemColumn ?? "item_id"
        source.timestampColumn = timestampColumn
        source.ratingColumn = ratingColumn
        source.minimumRating = minRating
        source.testPath = test
        source.skipBadLines = skipBadLines
        if let split {
            // The parser's messages start `split "TEXT": ...`; spell the flag.
            do { source.split = try SplitStrategy(parsing: split) } catch { throw ValidationError("--\(error)") }
        }
        if minRating != nil && ratingColumn == nil && (format == .csv || format == .tsv) {
            throw ValidationError("--min-rating needs --rating-column for csv/tsv data")
        }
        return source
    }
}
