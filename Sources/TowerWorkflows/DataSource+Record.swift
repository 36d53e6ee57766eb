import Foundation
import TowerData
import TowerFormats
import TwoTower

/// The data-source record saved with a model (``DataSourceRecord``) and the way back from it.
extension DataSource {
    /// The files the readers read for this source, in reading order: the ratings file (a
    /// MovieLens directory's ratings file and the movie/user files beside it, a LightGCN
    /// directory's `train.txt` and, when used, `test.txt`), then the test file, then the item and
    /// user feature files. Empty for synthetic data.
    public func filesRead() throws -> [String] {
        guard let path else { return [] }
        var files: [String] = []
        switch resolvedFormat(for: path) {
        case .movielens:
            let (variant, ratings) = try MovieLensReader.detect(path: path)
            files.append(ratings)
            let directory = (ratings as NSString).deletingLastPathComponent
            let beside: [String] = switch variant {
            case .csv: ["movies.csv"]
            case .dat: ["movies.dat", "users.dat"]
            case .ml100k: []
            }
            for name in beside {
                let p = (directory as NSString).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: p) { files.append(p) }
            }
        case .lightgcn:
            var isDirectory: ObjCBool = false
            let directory = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            files.append(directory ? (path as NSString).appendingPathComponent("train.txt") : path)
            if testPath == nil, split == nil {
                let dir = directory ? path : (path as NSString).deletingLastPathComponent
                let candidate = (dir as NSString).appendingPathComponent("test.txt")
                if FileManager.default.fileExists(atPath: candidate) { files.append(candidate) }
            }
        case .csv, .tsv:
            files.append(path)
        }
        if let testPath { files.append(try resolvedTestFile(testPath)) }
        for f in [itemFeatureFile, userFeatureFile].compactMap({ $0 }) { files.append(f.path) }
        return files
    }

    /// The record of this source as read with the split seed `seed`: absolute paths, the resolved
    /// format, the options and a fingerprint (size, CRC-32) of every file read — one more
    /// sequential pass over each file.
    /// - Throws: ``PersistenceError`` when a file cannot be read.
    public func record(seed: UInt64) throws -> DataSourceRecord {
        let s = synthetic
        return DataSourceRecord(
            path: path.map(FileFingerprint.absolute), format: path.map { resolvedFormat(for: $0).rawValue },
            userColumn: userColumn, itemColumn: itemColumn, timestampColumn: timestampColumn,
            ratingColumn: ratingColumn, minimumRating: minimumRating, testPath: testPath.map(FileFingerprint.absolute),
            split: split?.spelling, skipBadLines: skipBadLines, splitSeed: seed,
            files: try filesRead().map { try FileFingerprint.of($0) },
            synthetic: path != nil ? nil : .init(
                users: s.users, items: s.items, interactions: s.interactions, factors: s.factors,
                temperature: s.temperature, popularityExponent: s.popularityExponent,
                activitySigma: s.activitySigma, minimumActivity: s.minimumActivity,
                maximumActivity: s.maximumActivity, seed: s.seed),
            itemFeatureFile: featureFileRecord(itemFeatureFile, target: .item),
            userFeatureFile: featureFileRecord(userFeatureFile, target: .user))
    }

    /// The source a record describes (the inverse of ``record(seed:)``), without checking the files.
    /// - Throws: ``ConfigurationError`` for a record this version cannot read (unknown format or split).
    public init(record r: DataSourceRecord) throws {
        self.init()
        path = r.path
        if let f = r.format {
            guard let format = Format(rawValue: f) else {
                throw ConfigurationError("the model's data record has the format \"\(f)\", expected one of \(Format.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.format = format
        }
        userColumn = r.userColumn
        itemColumn = r.itemColumn
        timestampColumn = r.timestampColumn
        ratingColumn = r.ratingColumn
        minimumRating = r.minimumRating
        testPath = r.testPath
        skipBadLines = r.skipBadLines
        itemFeatureFile = r.itemFeatureFile.map { FeatureFile(path: $0.path, keyColumn: $0.keyColumn, columns: $0.columns) }
        userFeatureFile = r.userFeatureFile.map { FeatureFile(path: $0.path, keyColumn: $0.keyColumn, columns: $0.columns) }
        if let spelling = r.split {
            do { split = try SplitStrategy(parsing: spelling) } catch {
                throw ConfigurationError("the model's data record has the split \"\(spelling)\": \(error)")
            }
        }
        if let s = r.synthetic {
            synthetic = SyntheticConfiguration(
                users: s.users, items: s.items, interactions: s.interactions, factors: s.factors,
                temperature: s.temperature, popularityExponent: s.popularityExponent, activitySigma: s.activitySigma,
                minimumActivity: s.minimumActivity, maximumActivity: s.maximumActivity, seed: s.seed)
        }
    }

    /// The data a saved model was trained on, rebuilt from its record, after checking that every
    /// recorded file is still there with the same size and contents. The side-feature files
    /// (`--item-features`, `--user-features`) are left out, neither checked nor read: the model
    /// holds the features it was trained with, and `evaluate` and `recommend --show-history`
    /// need only the interactions.
    /// - Returns: the source and a note saying where the data comes from.
    /// - Throws: ``ConfigurationError`` naming the model directory, each moved or changed file and
    ///   what differs (missing, size, contents), and `--data` as the way to override; or, for a
    ///   model saved before data records existed and not trained on the built-in synthetic data,
    ///   naming the data it was trained on.
    public static func recorded(in checkpoint: ModelCheckpoint) throws -> (source: DataSource, note: String) {
        let c = checkpoint.configuration
        guard let record = c.dataSource else {
            if c.dataName.hasPrefix("synthetic (") {
                return (DataSource(), "\(checkpoint.path) has no data record (saved by an older twotower); using the built-in synthetic dataset it names: \(c.dataName)")
            }
            if c.dataName.hasPrefix("in-memory pairs") {
                // Saved by the library (`TrainedModel.train(pairs:)`): no file to record.
                throw ConfigurationError("\(checkpoint.path) was trained from \(c.dataName) through the library, so no data file is recorded; give --data FILE (the same pairs as a two-column user,item CSV) and the split options used for training")
            }
            throw ConfigurationError("\(checkpoint.path) has no data record (saved by an older twotower): it was trained on \(c.dataName); give --data \(c.dataName) and the split options used for training")
        }
        let featureFiles = Set([record.itemFeatureFile?.path, record.userFeatureFile?.path].compactMap { $0 })
        var interactions = record
        interactions.files.removeAll { featureFiles.contains($0.path) }
        interactions.itemFeatureFile = nil
        interactions.userFeatureFile = nil
        let changed = interactions.changedFiles()
        if !changed.isEmpty {
            throw ConfigurationError("the data \(checkpoint.path) was trained on has moved or changed: \(changed.joined(separator: "; ")); give --data (and the options used for training) to evaluate on another file")
        }
        let source = try DataSource(record: interactions)
        let what = record.path.map { "\($0) (\(record.format ?? "?"), split \(record.split ?? "default"), seed \(record.splitSeed); \(interactions.files.count) file(s) unchanged)" }
            ?? "the built-in synthetic dataset (seed \(record.synthetic?.seed ?? 0))"
        return (source, "data: \(what), as recorded in \(checkpoint.path)")
    }
}
