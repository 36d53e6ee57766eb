import Foundation
import TowerData
import TowerFormats
import TwoTower

extension DataSource {
    /// A side-feature file: `--item-features FILE` / `--user-features FILE`, a CSV (TSV when the
    /// name ends `.tsv`) with a header and one line per user or item (see ``FeatureFileReader``).
    public struct FeatureFile: Sendable, Equatable {
        public var path: String
        /// The header name of the id column; `nil`: the log's user/item column (``DataSource/defaultFeatureKey(for:)``).
        public var keyColumn: String?
        /// `--item-feature-columns` spelling (`genres:multi,year:numeric,tags`); `nil`: every column but the key, kinds inferred.
        public var columns: String?

        public init(path: String, keyColumn: String? = nil, columns: String? = nil) {
            self.path = path; self.keyColumn = keyColumn; self.columns = columns
        }
    }

    /// The key column a feature file is read with when none is given: the log's user or item
    /// column for csv/tsv data, `userId` / `movieId` for MovieLens, `user_id` / `item_id` for LightGCN.
    public func defaultFeatureKey(for target: FeatureTarget) -> String {
        let format = path.map { resolvedFormat(for: $0) } ?? .csv
        switch format {
        case .csv, .tsv: return target == .user ? userColumn : itemColumn
        case .movielens: return target == .user ? "userId" : "movieId"
        case .lightgcn: return target == .user ? "user_id" : "item_id"
        }
    }

    /// Reads `file` against `vocabulary` and merges its features into `features`: a feature of
    /// the same name as one the data format provides (MovieLens `genres`) replaces it. Embedded
    /// columns get the reserved missing value (a learned embedding) for rows without a line;
    /// numeric ones are z-scored with this file's values over the vocabulary's rows.
    /// - Throws: ``DataError`` from ``FeatureFileReader`` (file, line, column).
    func attach(_ file: FeatureFile, target: FeatureTarget, vocabulary: Vocabulary,
                to features: inout [EntityFeature], notes: inout [String]) throws {
        let columns = try file.columns.map { spelling throws(DataError) in try FeatureFileColumn.parseList(spelling) }
        let integerIds = path.map { [.movielens, .lightgcn].contains(resolvedFormat(for: $0)) } ?? false
        let format: DelimitedFormat = file.path.lowercased().hasSuffix(".tsv") ? .tsv : .csv
        let contents = try FeatureFileReader.read(path: file.path, format: format, key: file.keyColumn ?? defaultFeatureKey(for: target),
                                                  keyKind: integerIds ? .integer : .string, columns: columns,
                                                  vocabulary: vocabulary, target: target,
                                                  options: ReadOptions(skipBadLines: skipBadLines))
        notes.append(contents.summary)
        var added = contents.tables.map {
            EntityFeature(name: $0.name, vocabularySize: $0.vocabulary.count, values: .multi(offsets: $0.offsets, ids: $0.values))
        }
        for n in contents.numeric {
            guard n.values.contains(where: { $0 != nil }) else {
                throw ConfigurationError("\(contents.file): numeric column \"\(n.name)\" has no value for any \(target == .user ? "user" : "item") of the data")
            }
            added.append(.numeric(name: n.name, raw: n.values))
        }
        // Keep the file's column order: embedded and numeric as the file lists them.
        let order = contents.columns.map(\.name)
        added.sort { order.firstIndex(of: $0.name)! < order.firstIndex(of: $1.name)! }
        for f in added where features.contains(where: { $0.name == f.name }) {
            notes.append("\(contents.file): column \"\(f.name)\" replaces the \(target == .user ? "user" : "item") feature of the same name the data format provides")
        }
        features.removeAll { f in added.contains { $0.name == f.name } }
        features += added
    }

    /// The record of a feature file (absolute path, resolved key).
    func featureFileRecord(_ file: FeatureFile?, target: FeatureTarget) -> DataSourceRecord.FeatureFile? {
        file.map { .init(path: FileFingerprint.absolute($0.path), keyColumn: $0.keyColumn ?? defaultFeatureKey(for: target),
                         columns: $0.columns) }
    }
}
