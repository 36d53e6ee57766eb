import Foundation
import TowerCore
import TowerData
import TowerFormats
import TwoTower

extension ModelEvaluation {
    /// A saved model's metrics and the baselines on held-out data.
    public struct SavedModelReport: Sendable {
        public var metrics: EvaluationResult
        public var baselines: [(name: String, result: EvaluationResult)]
        public var notes: [String]

        /// Model and baselines side by side.
        public var table: String { MetricsTable.render([("model", metrics)] + baselines) }

        /// The `evaluate --metrics-out` JSON: `{"metrics": {"recall@20": …}, "baselines":
        /// {"popularity": {…}, …}}`, non-finite values left out (as ``RunReport/json()``).
        public func json() throws -> Data {
            try MetricsJSON.data(MetricsJSON.members(metrics: metrics, baselines: baselines))
        }
    }

    /// Evaluates the model directory `path` on `data`.
    ///
    /// With `data.testPath` the test file is read through the model's vocabularies (rows with ids
    /// the model does not know are dropped and counted) and the model's saved training items are
    /// excluded; otherwise `data` is split again exactly as at training time (same seed, same
    /// strategy), which must reproduce the model's vocabularies.
    /// - Throws: ``ConfigurationError`` when the data is not the data the model was trained on.
    /// - Parameter data: `nil`: the data recorded in the model (``DataSource/recorded(in:)``: same
    ///   file, options, split and seed; an error when a recorded file moved or changed), said in a note.
    public static func evaluateSaved(modelDirectory path: String, data given: DataSource?,
                                     settings: EvaluationSettings) throws -> SavedModelReport {
        try settings.validate()
        let checkpoint = try ModelCheckpoint.load(from: path)
        try settings.validate(itemCount: checkpoint.items.count)
        var notes: [String] = []
        let data: DataSource
        if let given {
            try requireRecordedSplit(given, checkpoint: checkpoint)
            data = given
        } else {
            let recorded = try DataSource.recorded(in: checkpoint)
            data = recorded.source
            notes.append(recorded.note)
        }
        let model = try checkpoint.model()
        let heldOut: HeldOut
        var truth: SyntheticTruth? = nil
        if let test = try data.testPath.map(data.resolvedTestFile) {
            let (log, report) = try data.read(test, vocabularies: (checkpoint.users, checkpoint.items))
            try TestFileCheck.requireKnownRows(log, report: report, test: test, vocabularies: "the model's training data")
            if report.unknownUsers + report.unknownItems > 0 {
                notes.append("\(test): dropped rows with \(report.unknownUsers) unknown users and \(report.unknownItems) unknown items")
            }
            var counts = [Int](repeating: 0, count: checkpoint.items.count)
            for item in checkpoint.trainItemsByUser.values { counts[Int(item)] += 1 }
            heldOut = HeldOut(itemsByUser: lists(UserItemLists(log)), excludedByUser: checkpoint.trainItemsByUser,
                              rows: log, itemCounts: counts)
        } else {
            let prepared = try data.prepare(seed: checkpoint.configuration.training.seed,
                                            validation: checkpoint.configuration.validationSplit)
            guard prepared.split.train.userVocabulary == checkpoint.users,
                  prepared.split.train.itemVocabulary == checkpoint.items else {
                throw ConfigurationError("\(prepared.name) is not the data the model in \(path) was trained on (\(checkpoint.configuration.dataName)): its users or items differ; give the held-out interactions with --test")
            }
            notes += prepared.notes.filter { !prepared.validationNotes.contains($0) }  // train's business
            truth = prepared.truth
            heldOut = .test(prepared.split)
        }
        let metrics = try evaluate(model, on: heldOut, settings: settings)
        return SavedModelReport(metrics: metrics, baselines: try baselines(on: heldOut, truth: truth, settings: settings),
                                notes: notes)
    }

    /// With `--data` and no test file, the data is split again: a split other than the recorded
    /// one (another `--split`, another timestamp column, another rating filter) would put training
    /// interactions in the test part and report a silently wrong figure, so it is an error.
    static func requireRecordedSplit(_ data: DataSource, checkpoint: ModelCheckpoint) throws {
        guard data.testPath == nil, let record = checkpoint.configuration.dataSource else { return }
        var differences: [String] = []
        func compare(_ flag: String, _ given: String?, _ recorded: String?, default fallback: String) {
            if given != recorded { differences.append("\(flag) \(given ?? fallback) (trained with \(recorded ?? fallback))") }
        }
        compare("--split", data.split?.spelling, record.split, default: "the default")
        compare("--timestamp-column", data.timestampColumn, record.timestampColumn, default: "none")
        compare("--min-rating", data.minimumRating.map { "\($0)" }, record.minimumRating.map { "\($0)" }, default: "none")
        guard differences.isEmpty else {
            throw ConfigurationError("\(checkpoint.path): \(differences.joined(separator: ", ")): splitting differently from training would put training interactions in the test part; give the recorded options, or leave out --data to use the recorded data")
        }
    }
}
