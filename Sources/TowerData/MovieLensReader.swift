import Foundation

/// Reads the MovieLens releases, detected by file name or content:
/// - `u.data` (ML-100K): `user \t item \t rating \t timestamp`, no header;
/// - `ratings.dat` (ML-1M/10M): `user::item::rating::timestamp`, no header; `movies.dat` beside it
///   gives `genres` (multi-valued item feature, `|`-separated), `users.dat` gives `gender`, `age`,
///   `occupation` (categorical user features);
/// - `ratings.csv` (ml-latest, ML-20M/25M): header `userId,movieId,rating,timestamp`; `movies.csv`
///   beside it gives `genres`.
/// Ids are integers, kept in canonical form (`01` and `+1` are `1`; see ``IdRule``). Every rating is an interaction; use ``InteractionLog/filtered(minRating:)``
/// for implicit feedback.
public enum MovieLensReader {
    public enum Variant: String, Sendable, Equatable {
        /// `u.data`
        case ml100k
        /// `ratings.dat`
        case dat
        /// `ratings.csv`
        case csv
    }

    /// Finds the ratings file and its variant: `path` may be a directory holding one of the
    /// known files, or a file recognised by its name or, failing that, its first line.
    public static func detect(path: String) throws(DataError) -> (variant: Variant, ratingsPath: String) {
        if let reason = FileIO.unreachable(path) { throw FileIO.cannotOpen(path, reason) }
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if isDirectory.boolValue {
            guard let listing = opendir(path) else { throw FileIO.cannotOpen(path, FileIO.systemReason(), what: "the directory") }
            closedir(listing)
            for (file, variant) in [("ratings.csv", Variant.csv), ("ratings.dat", .dat), ("u.data", .ml100k)] {
                let p = (path as NSString).appendingPathComponent(file)
                var st = stat()
                if stat(p, &st) == 0 { return (variant, p) }
                if errno != ENOENT { throw FileIO.cannotOpen(p, FileIO.systemReason()) }
            }
            throw .unrecognizedFormat(file: FileIO.displayName(path),
                                      detail: "expected a MovieLens directory with ratings.csv, ratings.dat or u.data")
        }
        switch FileIO.fileName(path) {
        case "ratings.csv": return (.csv, path)
        case "ratings.dat": return (.dat, path)
        case "u.data": return (.ml100k, path)
        default: break
        }
        let head = try FileIO.readHead(path, count: 4096)
        guard !head.isEmpty else { throw .emptyFile(file: FileIO.displayName(path)) }
        let firstLine = String(decoding: head.prefix { $0 != 0x0A && $0 != 0x0D }, as: UTF8.self)
        if firstLine.contains("::") { return (.dat, path) }
        if firstLine.hasPrefix("userId,movieId") || firstLine.hasPrefix("\u{FEFF}userId,movieId") { return (.csv, path) }
        let tabs = firstLine.split(separator: "\t")
        if tabs.count == 4 && tabs.allSatisfy({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) != nil }) { return (.ml100k, path) }
        throw .unrecognizedFormat(file: FileIO.displayName(path),
                                  detail: "not a MovieLens ratings file (expected u.data, ratings.dat or ratings.csv, found the first line \"\(firstLine.prefix(60))\")")
    }

    /// Reads the ratings (and, when present beside them and `sideFeatures` is true, the movie
    /// genres and user attributes).
    public static func read(path: String, sideFeatures: Bool = true, options: ReadOptions = ReadOptions(),
                            vocabularies: (user: Vocabulary, item: Vocabulary)? = nil)
        throws(DataError) -> (log: InteractionLog, report: ReadReport) {
        let (variant, ratingsPath) = try detect(path: path)
        let directory = (ratingsPath as NSString).deletingLastPathComponent
        func beside(_ f: String) -> String? {
            let p = (directory as NSString).appendingPathComponent(f)
            return sideFeatures && vocabularies == nil && FileManager.default.fileExists(atPath: p) ? p : nil
        }
        switch variant {
        case .ml100k:
            let schema = Schema(user: .index(0), item: .index(1), timestamp: .index(3), rating: .index(2),
                                userIdKind: .integer, itemIdKind: .integer)
            return try DelimitedReader.read(path: ratingsPath, format: DelimitedFormat(delimiter: "\t", quoting: false, hasHeader: false),
                                            schema: schema, options: options, vocabularies: vocabularies)
        case .dat:
            let schema = Schema(user: .index(0), item: .index(1), timestamp: .index(3), rating: .index(2),
                                userIdKind: .integer, itemIdKind: .integer)
            let dat = DelimitedFormat(delimiter: "::", quoting: false, hasHeader: false)
            var (log, report) = try DelimitedReader.read(path: ratingsPath, format: dat, schema: schema,
                                                         options: options, vocabularies: vocabularies)
            if let movies = beside("movies.dat") {
                log = try log.attachingFeatures(from: movies, format: dat, key: .index(0), keyKind: .integer, features: [
                    FeatureColumn(name: "genres", column: .index(2), target: .item, kind: .multiValued(separator: UInt8(ascii: "|")))],
                    options: options)
            }
            if let users = beside("users.dat") {
                log = try log.attachingFeatures(from: users, format: dat, key: .index(0), keyKind: .integer, features: [
                    FeatureColumn(name: "gender", column: .index(1), target: .user, kind: .categorical),
                    FeatureColumn(name: "age", column: .index(2), target: .user, kind: .categorical),
                    FeatureColumn(name: "occupation", column: .index(3), target: .user, kind: .categorical)],
                    options: options)
            }
            return (log, report)
        case .csv:
            let schema = Schema(user: "userId", item: "movieId", timestamp: "timestamp", rating: "rating",
                                userIdKind: .integer, itemIdKind: .integer)
            var (log, report) = try DelimitedReader.read(path: ratingsPath, format: .csv, schema: schema,
                                                         options: options, vocabularies: vocabularies)
            if let movies = beside("movies.csv") {
                log = try log.attachingFeatures(from: movies, format: .csv, key: "movieId", keyKind: .integer, features: [
                    FeatureColumn(name: "genres", column: "genres", target: .item, kind: .multiValued(separator: UInt8(ascii: "|")))],
                    options: options)
            }
            return (log, report)
        }
    }
}
