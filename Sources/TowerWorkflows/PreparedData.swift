import Foundation
import TowerCore
import TowerData
import TowerFormats
import TwoTower

/// Interactions loaded, filtered, ordered by frequency and split: everything training and
/// evaluation need, with dense rows shared by every part.
public struct PreparedData: Sendable {
    /// Train / test (/ validation) over one pair of vocabularies; item rows ordered by decreasing
    /// training frequency (what the log-uniform sampler assumes).
    public var split: DatasetSplit
    /// The generator's truth aligned to the rows, for the synthetic dataset (the oracle baseline).
    public var truth: SyntheticTruth?
    /// Item side features (e.g. MovieLens genres, the columns of `--item-features`), rows aligned to the item vocabulary.
    public var itemFeatures: [EntityFeature]
    /// User side features, rows aligned to the user vocabulary.
    public var userFeatures: [EntityFeature]
    /// A one-line name of the data (file or synthetic parameters).
    public var name: String
    /// Things the user should know: skipped lines, unknown test ids, filters applied, the
    /// validation set held out.
    public var notes: [String]
    /// The notes of ``notes`` on the validation set held out for early stopping — a matter of
    /// training: `evaluate`, which splits again only to rebuild the training part, leaves them out.
    public var validationNotes: [String] = []
    /// How to rebuild this data later (saved with the model); set by ``DataSource/prepare(seed:validation:)``.
    public var sourceRecord: DataSourceRecord? = nil

    /// Users (query tower rows).
    public var userCount: Int { split.train.userCount }
    /// Items (item tower rows).
    public var itemCount: Int { split.train.itemCount }
}

extension DataSource {
    /// Loads, filters, orders by frequency and splits.
    /// - Parameters:
    ///   - seed: seeds the random split strategies.
    ///   - validation: hold out a validation set as well (for early stopping), when the split allows.
    /// - Throws: `DataError` from the readers and splits, ``ConfigurationError`` for bad combinations.
    public func prepare(seed: UInt64, validation: Bool = false) throws -> PreparedData {
        var prepared = try prepareSplit(seed: seed, validation: validation)
        prepared.sourceRecord = try record(seed: seed)
        return prepared
    }

    private func prepareSplit(seed: UInt64, validation: Bool) throws -> PreparedData {
        var notes: [String] = []
        guard let path else {
            if itemFeatureFile != nil || userFeatureFile != nil {
                throw ConfigurationError("{itemFeatureFile}/{userFeatureFile} need interaction data from a file: the built-in synthetic dataset has no ids to key them by")
            }
            let dataset = SyntheticDataset.generate(synthetic)
            let log = dataset.log.orderedByFrequency()
            let strategy = split ?? .leaveLastOut(validation: validation)
            var split = try DatasetSplit(log, strategy: withValidation(strategy, validation), seed: seed)
            let first = notes.count
            if validation && split.validation == nil {
                split = try carveValidation(from: split, strategy: strategy, seed: seed, notes: &notes)
            }
            noteValidation(split, into: &notes)
            let truth = try dataset.truth.aligned(userVocabulary: log.userVocabulary, itemVocabulary: log.itemVocabulary)
            let c = synthetic
            return PreparedData(split: split, truth: truth, itemFeatures: [], userFeatures: [],
                                name: "synthetic (\(c.users) users, \(c.items) items, \(c.interactions) interactions, seed \(c.seed))",
                                notes: notes, validationNotes: Array(notes[first...]))
        }
        var log = try load(path: path, notes: &notes)
        log = log.orderedByFrequency()
        var split: DatasetSplit
        var test = try testPath.map(resolvedTestFile)
        if test == nil, resolvedFormat(for: path) == .lightgcn {
            let dir = isDirectory(path) ? path : (path as NSString).deletingLastPathComponent
            let candidate = (dir as NSString).appendingPathComponent("test.txt")
            if FileManager.default.fileExists(atPath: candidate), self.split == nil { test = candidate }
        }
        let strategy = self.split ?? (log.timestamps != nil ? .leaveLastOut(validation: validation) : .leaveOneOut(validation: validation))
        if let test {
            var (testLog, testReport) = try read(test, vocabularies: (log.userVocabulary, log.itemVocabulary))
            note(testReport, into: &notes)
            try TestFileCheck.requireKnownRows(testLog, report: testReport, test: test, vocabularies: "the training data \(path)")
            if let r = minimumRating { testLog = try testLog.filtered(minRating: r) }
            split = DatasetSplit(train: log, test: testLog, unknownTestUsers: testReport.unknownUsers,
                                 unknownTestItems: testReport.unknownItems)
            if testReport.unknownUsers + testReport.unknownItems > 0 {
                notes.append("\(test): dropped rows with \(testReport.unknownUsers) unknown users and \(testReport.unknownItems) unknown items (not in the training data)")
            }
        } else {
            let splitStrategy = withValidation(strategy, validation)
            split = try DatasetSplit(log, strategy: splitStrategy, seed: seed)
            try split.requireTrainAndTest(strategy: splitStrategy, of: log)
        }
        let first = notes.count
        if validation && split.validation == nil {
            split = try carveValidation(from: split, strategy: test == nil ? strategy : nil, seed: seed, notes: &notes)
        }
        noteValidation(split, into: &notes)
        let validationNotes = Array(notes[first...])
        var itemFeatures = log.itemFeatures.compactMap(Self.entityFeature)
        var userFeatures = log.userFeatures.compactMap(Self.entityFeature)
        if let f = itemFeatureFile { try attach(f, target: .item, vocabulary: log.itemVocabulary, to: &itemFeatures, notes: &notes) }
        if let f = userFeatureFile { try attach(f, target: .user, vocabulary: log.userVocabulary, to: &userFeatures, notes: &notes) }
        return PreparedData(split: split, truth: syntheticTruth(beside: path, for: log, notes: &notes),
                            itemFeatures: itemFeatures, userFeatures: userFeatures, name: path, notes: notes,
                            validationNotes: validationNotes)
    }

    /// The generator's truth when `path` is an `interactions.csv` written by `twotower synth` (a
    /// `truth.bin` beside it), aligned to the log's rows — so the oracle baseline is printed.
    private func syntheticTruth(beside path: String, for log: InteractionLog, notes: inout [String]) -> SyntheticTruth? {
        let directory = (path as NSString).deletingLastPathComponent
        guard (path as NSString).lastPathComponent == "interactions.csv",
              FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("truth.bin")) else { return nil }
        do {
            return try SyntheticDataset.readTruth(from: directory.isEmpty ? "." : directory)
                .aligned(userVocabulary: log.userVocabulary, itemVocabulary: log.itemVocabulary)
        } catch {
            notes.append("truth.bin beside \(path) was not used for the oracle baseline: \(error)")
            return nil
        }
    }

    /// Reads `path`, applies the rating filter, and reports skipped lines into `notes`.
    func load(path: String, notes: inout [String]) throws -> InteractionLog {
        var (log, report) = try read(path, vocabularies: nil)
        note(report, into: &notes)
        if log.count == 0, report.skippedLines > 0 {
            let first = report.skippedErrors.first.map { "; the first: \($0)" } ?? ""
            throw ConfigurationError("\(path): no interaction left to train on: \(report.skippedLines) bad lines were skipped (--skip-bad-lines) and none was left\(first)")
        }
        if let r = minimumRating {
            let before = log.count
            log = try log.filtered(minRating: r).compacted()
            notes.append("kept \(log.count) of \(before) interactions rated ≥ \(r)")
        }
        guard log.count > 0 else { throw ConfigurationError("\(path): no interaction left to train on") }
        return log
    }

    /// The whole log (no split), for statistics: the synthetic dataset when `path` is `nil`.
    public func loadLog() throws -> (log: InteractionLog, notes: [String]) {
        var notes: [String] = []
        guard let path else { return (SyntheticDataset.generate(synthetic).log, notes) }
        let log = try load(path: path, notes: &notes)
        return (log, notes)
    }

    /// A validation set taken from the training part of `split` (for a given test file, a ratio
    /// split without a validation fraction, or a time cutoff without a validation cutoff); the
    /// test part is left as it is. `ratio:T`: per user, a random `round(0.1·n)` of the training
    /// interactions (T − 0.1 of the user's interactions stay for training, at least 0.05);
    /// otherwise per user the latest training interaction (a random one without timestamps).
    private func carveValidation(from split: DatasetSplit, strategy: SplitStrategy?, seed: UInt64,
                                 notes: inout [String]) throws -> DatasetSplit {
        let inner: DatasetSplit
        if case .ratio(let t, _) = strategy {
            let kept = max(0.05, t - 0.1)
            inner = try DatasetSplit(split.train, strategy: .ratio(train: kept / t, validation: 0), seed: seed ^ 0x7661_6C69_6461_7465)
        } else {
            let strategy: SplitStrategy = split.train.timestamps != nil ? .leaveLastOut(validation: false) : .leaveOneOut(validation: false)
            inner = try DatasetSplit(split.train, strategy: strategy, seed: seed ^ 0x7661_6C69_6461_7465)
            notes.append("held out one training interaction per user (the latest, or a random one without timestamps) for validation")
        }
        return DatasetSplit(train: inner.train, test: split.test, validation: inner.test,
                            unknownTestUsers: split.unknownTestUsers, unknownTestItems: split.unknownTestItems)
    }

    /// Says how many interactions went to validation (early stopping), and from where.
    private func noteValidation(_ split: DatasetSplit, into notes: inout [String]) {
        guard let validation = split.validation else { return }
        let train = split.train.count, test = split.test.count, v = validation.count
        let all = Double(max(train + v + test, 1))
        let percent = { (n: Int) in String(format: "%.1f%%", 100 * Double(n) / all) }
        notes.append("validation: \(v) interactions (\(percent(v))) held out of the training part for early stopping (the refit after early stopping trains on them too, unless --no-refit); the first pass trains on \(train) (\(percent(train))), the test part \(test) (\(percent(test))) is not shrunk")
    }

    private func withValidation(_ strategy: SplitStrategy, _ validation: Bool) -> SplitStrategy {
        guard validation else { return strategy }
        switch strategy {
        case .leaveLastOut: return .leaveLastOut(validation: true)
        case .leaveOneOut: return .leaveOneOut(validation: true)
        default: return strategy  // ratio:T and time:C without validation: carved from train afterwards
        }
    }

    private func note(_ report: ReadReport, into notes: inout [String]) {
        if report.skippedLines > 0 { notes.append(report.description) }
    }

    private func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    /// A data-module feature table as the towers consume it (`nil` when it has no values).
    static func entityFeature(_ table: FeatureTable) -> EntityFeature? {
        guard table.vocabulary.count > 0, !table.values.isEmpty else { return nil }
        return EntityFeature(name: table.name, vocabularySize: table.vocabulary.count,
                             values: .multi(offsets: table.offsets, ids: table.values))
    }
}
