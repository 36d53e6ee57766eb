import TowerFormats

/// What a saved model records about its training data, so that `evaluate` (same split, same test
/// set) and `recommend` (titles, the user's history) can rebuild it later without the command line,
/// and notice when the file changed. Saved in `config.json` under
/// `config.dataSource`; models saved before it existed have none (`SavedModelConfiguration.dataSource` is
/// `nil`) and still load.
///
/// Paths are absolute. `split` is the CLI spelling (`SplitStrategy.spelling`), `nil` for the
/// default (leave-last-out with timestamps, else leave-one-out). The split is drawn with
/// ``splitSeed`` (the training seed).
public struct DataSourceRecord: Codable, Sendable, Equatable {
    /// The synthetic dataset's parameters when the model was trained on it (no file).
    public struct Synthetic: Codable, Sendable, Equatable {
        public var users: Int, items: Int, interactions: Int, factors: Int
        public var temperature: Float, popularityExponent: Double, activitySigma: Double
        public var minimumActivity: Int, maximumActivity: Int, seed: UInt64

        public init(users: Int, items: Int, interactions: Int, factors: Int, temperature: Float,
                    popularityExponent: Double, activitySigma: Double, minimumActivity: Int,
                    maximumActivity: Int, seed: UInt64) {
            self.users = users; self.items = items; self.interactions = interactions; self.factors = factors
            self.temperature = temperature; self.popularityExponent = popularityExponent
            self.activitySigma = activitySigma; self.minimumActivity = minimumActivity
            self.maximumActivity = maximumActivity; self.seed = seed
        }
    }

    /// A side-feature file (`--item-features` / `--user-features`) as read at training time.
    public struct FeatureFile: Codable, Sendable, Equatable {
        /// Absolute path.
        public var path: String
        /// The key column's header name.
        public var keyColumn: String
        /// The `--item-feature-columns` spelling (`genres:multi,year`); `nil`: every column, inferred.
        public var columns: String?

        public init(path: String, keyColumn: String, columns: String?) {
            self.path = path; self.keyColumn = keyColumn; self.columns = columns
        }
    }

    /// Absolute path of the interaction file or directory as given to `--data`; `nil`: synthetic.
    public var path: String?
    /// The format it was read as (`csv`, `tsv`, `movielens`, `lightgcn`), resolved.
    public var format: String?
    public var userColumn: String
    public var itemColumn: String
    public var timestampColumn: String?
    public var ratingColumn: String?
    /// `--min-rating`: only interactions rated at least this were kept.
    public var minimumRating: Float?
    /// Absolute path of `--test`.
    public var testPath: String?
    /// `--split` spelling; `nil`: the default for the data.
    public var split: String?
    /// `--skip-bad-lines`.
    public var skipBadLines: Bool
    /// The seed the split was drawn with.
    public var splitSeed: UInt64
    /// Every file that was read (ratings, side-feature files beside them, the test file), in
    /// reading order.
    public var files: [FileFingerprint]
    /// Set when ``path`` is `nil`.
    public var synthetic: Synthetic?
    /// `--item-features`, `--user-features` (absent in models saved before them); their
    /// fingerprints are in ``files``.
    public var itemFeatureFile: FeatureFile? = nil
    public var userFeatureFile: FeatureFile? = nil

    public init(path: String?, format: String?, userColumn: String, itemColumn: String,
                timestampColumn: String?, ratingColumn: String?, minimumRating: Float?, testPath: String?,
                split: String?, skipBadLines: Bool, splitSeed: UInt64, files: [FileFingerprint],
                synthetic: Synthetic?, itemFeatureFile: FeatureFile? = nil, userFeatureFile: FeatureFile? = nil) {
        self.path = path; self.format = format; self.userColumn = userColumn; self.itemColumn = itemColumn
        self.timestampColumn = timestampColumn; self.ratingColumn = ratingColumn
        self.minimumRating = minimumRating; self.testPath = testPath; self.split = split
        self.skipBadLines = skipBadLines; self.splitSeed = splitSeed; self.files = files
        self.synthetic = synthetic
        self.itemFeatureFile = itemFeatureFile; self.userFeatureFile = userFeatureFile
    }

    /// Each recorded file that is missing or changed since, as `PATH DIFFERENCE` (empty: all the same).
    public func changedFiles() -> [String] {
        files.compactMap { f in f.difference().map { "\(f.path) \($0)" } }
    }
}
