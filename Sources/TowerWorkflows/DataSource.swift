import Foundation
import TowerCore
import TowerData
import TowerFormats
import TwoTower

/// Where the interactions come from and how they are held out — what `twotower train --data ...`
/// describes.
public struct DataSource: Sendable, Equatable {
    /// The file formats the readers understand.
    public enum Format: String, Sendable, Equatable, CaseIterable {
        case csv, tsv, movielens, lightgcn
    }

    /// `nil`: the built-in synthetic dataset (``synthetic``).
    public var path: String?
    /// `nil`: detected from the file name (`*.tsv`, `*.txt` → LightGCN, MovieLens names, else CSV).
    public var format: Format?
    /// csv/tsv columns.
    public var userColumn = "user_id"
    public var itemColumn = "item_id"
    public var timestampColumn: String?
    public var ratingColumn: String?
    /// Keep interactions rated at least this.
    public var minimumRating: Float?
    /// A test file in the same format, read with the training vocabularies.
    public var testPath: String?
    /// The hold-out strategy (`nil`: leave-last-out with timestamps, else leave-one-out).
    public var split: SplitStrategy?
    /// Skip malformed lines (counted and reported).
    public var skipBadLines = false
    /// Side-feature files keyed by item / user id (MLP towers; see ``FeatureFile``).
    public var itemFeatureFile: FeatureFile?
    public var userFeatureFile: FeatureFile?
    /// The synthetic dataset's shape when `path` is `nil`.
    public var synthetic = SyntheticConfiguration()

    public init() {}

    /// The format used for `path`.
    public func resolvedFormat(for path: String) -> Format {
        if let format { return format }
        let name = (path as NSString).lastPathComponent.lowercased()
        if ["u.data", "ratings.dat", "ratings.csv"].contains(name) { return .movielens }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            let inside = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            if inside.contains("train.txt") { return .lightgcn }
            return .movielens
        }
        if name.hasSuffix(".tsv") { return .tsv }
        if name.hasSuffix(".txt") { return .lightgcn }
        return .csv
    }

    /// The file a test path names: itself, or `test.txt` of a LightGCN directory.
    /// - Throws: ``ConfigurationError`` naming `{testPath}` for a directory without a test file
    ///   (a LightGCN directory without `test.txt`, a MovieLens directory), and for the training file itself.
    public func resolvedTestFile(_ test: String) throws -> String {
        var file = test
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: test, isDirectory: &isDirectory), isDirectory.boolValue {
            let candidate = (test as NSString).appendingPathComponent("test.txt")
            guard resolvedFormat(for: test) == .lightgcn, FileManager.default.fileExists(atPath: candidate) else {
                throw ConfigurationError("{testPath} \(test) is a directory without a LightGCN test.txt; give the test file itself")
            }
            file = candidate
        }
        if let path {
            var trainFile = path
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
               resolvedFormat(for: path) == .lightgcn {
                trainFile = (path as NSString).appendingPathComponent("train.txt")
            }
            if let a = realpath(trainFile, nil), let b = realpath(file, nil) {
                defer { free(a); free(b) }
                if strcmp(a, b) == 0 {
                    throw ConfigurationError("{testPath} \(test) is the training file \(trainFile): metrics on it would measure the training data; give the held-out file")
                }
            }
        }
        return file
    }

    /// Reads one file with `vocabularies` when given (a test file read with the train ids). A
    /// LightGCN directory reads its `train.txt` (resolve test paths with ``resolvedTestFile(_:)`` first).
    func read(_ path: String, vocabularies: (user: Vocabulary, item: Vocabulary)?) throws -> (InteractionLog, ReadReport) {
        let options = ReadOptions(skipBadLines: skipBadLines)
        switch resolvedFormat(for: path) {
        case .movielens:
            return try MovieLensReader.read(path: path, sideFeatures: true, options: options, vocabularies: vocabularies)
        case .lightgcn:
            var file = path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                file = (path as NSString).appendingPathComponent("train.txt")
            }
            return try LightGCNReader.read(path: file, options: options, vocabularies: vocabularies)
        case .csv, .tsv:
            let schema = Schema(user: .name(userColumn), item: .name(itemColumn),
                                timestamp: timestampColumn.map { .name($0) }, rating: ratingColumn.map { .name($0) })
            let delimited: DelimitedFormat = resolvedFormat(for: path) == .tsv ? .tsv : .csv
            return try DelimitedReader.read(path: path, format: delimited, schema: schema, options: options,
                                            vocabularies: vocabularies)
        }
    }
}
