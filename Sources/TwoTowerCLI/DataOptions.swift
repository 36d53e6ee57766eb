import ArgumentParser
import TowerData
import TowerFormats
import TowerWorkflows
import TwoTower

/// The input data options shared by `train`, `evaluate` and `inspect`.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Interaction file (or MovieLens/LightGCN directory). Without it: train and inspect use the built-in synthetic dataset; evaluate uses the data recorded in the model.",
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

    @Option(name: .long, help: ArgumentHelp(
        "mlp: item side features, a CSV (TSV if named *.tsv) with a header and one line per item, keyed by the item column (--item-features-key). Columns are categorical (embedded), multi-valued (split on |, a bag) or numeric (z-scored, fed to the MLP with a missing indicator); items without a line get a learned missing value.",
        valueName: "path"))
    var itemFeatures: String?

    @Option(name: .long, help: ArgumentHelp(
        "mlp: the --item-features columns to use, NAME or NAME:KIND comma-separated, KIND categorical, multi, multi=C (split on C) or numeric (default: every column but the key, kinds inferred: numbers → numeric, values with | → multi, else categorical).",
        valueName: "columns"))
    var itemFeatureColumns: String?

    @Option(name: .long, help: ArgumentHelp("The id column of --item-features. (default: the item column: --item-column, movieId for MovieLens, item_id for LightGCN)", valueName: "name"))
    var itemFeaturesKey: String?

    @Option(name: .long, help: ArgumentHelp("mlp: user side features, as --item-features but keyed by the user column (--user-features-key).", valueName: "path"))
    var userFeatures: String?

    @Option(name: .long, help: ArgumentHelp("mlp: the --user-features columns to use, as --item-feature-columns.", valueName: "columns"))
    var userFeatureColumns: String?

    @Option(name: .long, help: ArgumentHelp("The id column of --user-features. (default: the user column: --user-column, userId for MovieLens, user_id for LightGCN)", valueName: "name"))
    var userFeaturesKey: String?

    func validate() throws {
        if test != nil && split != nil { throw ValidationError("--test and --split cannot be used together") }
        if data == nil && (test != nil || format != nil) {
            throw ValidationError("--test and --format need --data")
        }
        for (side, file, columns, key) in [("item", itemFeatures, itemFeatureColumns, itemFeaturesKey),
                                           ("user", userFeatures, userFeatureColumns, userFeaturesKey)] {
            if file == nil, columns != nil { throw ValidationError("--\(side)-feature-columns needs --\(side)-features FILE") }
            if file == nil, key != nil { throw ValidationError("--\(side)-features-key needs --\(side)-features FILE") }
            if file != nil, data == nil {
                throw ValidationError("--\(side)-features needs --data: its lines are keyed by the ids of the interaction file (the built-in synthetic dataset has none to match)")
            }
            if let columns {
                do { _ = try FeatureFileColumn.parseList(columns) } catch { throw ValidationError("--\(side)-feature-columns: \(error)") }
            }
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
        source.itemFeatureFile = itemFeatures.map { DataSource.FeatureFile(path: $0, keyColumn: itemFeaturesKey, columns: itemFeatureColumns) }
        source.userFeatureFile = userFeatures.map { DataSource.FeatureFile(path: $0, keyColumn: userFeaturesKey, columns: userFeatureColumns) }
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
