/// A column of a delimited file: by header name, or by 0-based position (files without header).
public enum ColumnReference: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringLiteral {
    case name(String)
    case index(Int)

    public init(stringLiteral value: String) { self = .name(value) }

    public var description: String {
        switch self {
        case .name(let n): return n
        case .index(let i): return "column \(i + 1)"
        }
    }
}

/// How raw ids are checked: any non-empty UTF-8 text, or a decimal integer.
public enum IdKind: Sendable, Equatable {
    case string
    case integer
}

/// Which side a side feature describes.
public enum FeatureTarget: Sendable, Equatable {
    case user
    case item
}

/// A side feature's shape: one value per row, or a list (e.g. MovieLens genres `Action|Comedy`).
public enum FeatureKind: Sendable, Equatable {
    case categorical
    /// Several values in one field, separated by `separator` (one ASCII byte, e.g. `|`).
    case multiValued(separator: UInt8)
}

/// A side-feature column of the schema.
public struct FeatureColumn: Sendable, Equatable {
    /// Name of the feature (and of its vocabulary).
    public var name: String
    public var column: ColumnReference
    public var target: FeatureTarget
    public var kind: FeatureKind

    public init(name: String, column: ColumnReference, target: FeatureTarget, kind: FeatureKind) {
        self.name = name; self.column = column; self.target = target; self.kind = kind
    }
}

/// Which columns hold the user id, the item id, and the optional timestamp, rating/weight and
/// side features. A side feature takes, for each user (item), the value on the first line where
/// that user (item) appears.
public struct Schema: Sendable, Equatable {
    public var user: ColumnReference
    public var item: ColumnReference
    /// Integer timestamps (e.g. Unix seconds).
    public var timestamp: ColumnReference?
    /// A numeric rating or weight.
    public var rating: ColumnReference?
    public var userIdKind: IdKind
    public var itemIdKind: IdKind
    public var features: [FeatureColumn]

    public init(user: ColumnReference = "user_id", item: ColumnReference = "item_id",
                timestamp: ColumnReference? = nil, rating: ColumnReference? = nil,
                userIdKind: IdKind = .string, itemIdKind: IdKind = .string,
                features: [FeatureColumn] = []) {
        self.user = user; self.item = item; self.timestamp = timestamp; self.rating = rating
        self.userIdKind = userIdKind; self.itemIdKind = itemIdKind; self.features = features
    }
}

/// The text layout of a delimited file.
public struct DelimitedFormat: Sendable, Equatable {
    /// Field separator: one or more bytes (`,`, `\t`, `::`…). May not contain `"`, `\r` or `\n`.
    public var delimiter: String
    /// Whether `"` quotes fields (RFC 4180).
    public var quoting: Bool
    /// Whether the first line names the columns.
    public var hasHeader: Bool

    public init(delimiter: String, quoting: Bool = true, hasHeader: Bool = true) {
        self.delimiter = delimiter; self.quoting = quoting; self.hasHeader = hasHeader
    }

    /// Comma-separated, quoted fields, header line (RFC 4180).
    public static let csv = DelimitedFormat(delimiter: ",")
    /// Tab-separated with a header line.
    public static let tsv = DelimitedFormat(delimiter: "\t")
}

/// Options shared by the readers.
public struct ReadOptions: Sendable, Equatable {
    /// Skip lines with bad fields instead of failing; they are counted in ``ReadReport``.
    public var skipBadLines: Bool
    /// Longest accepted line (record) in bytes; a longer one is ``DataError/lineTooLong(file:line:limit:)``.
    public var maxLineBytes: Int

    public init(skipBadLines: Bool = false, maxLineBytes: Int = 1 << 20) {
        self.skipBadLines = skipBadLines; self.maxLineBytes = maxLineBytes
    }
}

/// What a reader saw: lines, kept rows, skipped bad lines (with their errors, the first 20), and
/// rows dropped because their ids were not in the given vocabularies (test files).
public struct ReadReport: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// Non-blank records read (header excluded).
    public var records = 0
    /// Interactions kept.
    public var rows = 0
    /// Bad lines skipped (only with ``ReadOptions/skipBadLines``).
    public var skippedLines = 0
    /// The first errors of the skipped lines.
    public var skippedErrors: [DataError] = []
    /// Rows dropped because the user id was not in the given user vocabulary.
    public var unknownUsers = 0
    /// Rows dropped because the item id was not in the given item vocabulary (user known).
    public var unknownItems = 0
    /// The first dropped row's unknown id: `user` or `item`, the id and its line.
    public var firstUnknown: UnknownId?

    /// An id of a test file that the given vocabularies do not hold.
    public struct UnknownId: Sendable, Equatable, CustomStringConvertible {
        /// `user` or `item`.
        public var kind: String
        public var id: String
        public var line: Int
        public var description: String { "\(kind) \"\(id)\" (line \(line))" }
    }

    public init(file: String) { self.file = file }

    /// Counts a row dropped for its unknown user id (bytes `p[0..<n]`), keeping the first one.
    mutating func dropUnknownUser(_ p: UnsafePointer<UInt8>, _ n: Int, line: Int) {
        unknownUsers += 1
        if firstUnknown == nil { firstUnknown = UnknownId(kind: "user", id: excerpt(UnsafeBufferPointer(start: p, count: n)), line: line) }
    }

    /// Counts a row dropped for its unknown item id (user known), keeping the first one.
    mutating func dropUnknownItem(_ p: UnsafePointer<UInt8>, _ n: Int, line: Int) {
        unknownItems += 1
        if firstUnknown == nil { firstUnknown = UnknownId(kind: "item", id: excerpt(UnsafeBufferPointer(start: p, count: n)), line: line) }
    }

    mutating func skip(_ error: DataError) {
        skippedLines += 1
        if skippedErrors.count < 20 { skippedErrors.append(error) }
    }

    public var description: String {
        var s = "\(file): \(rows) interactions from \(records) lines"
        if skippedLines > 0 { s += ", \(skippedLines) bad lines skipped" }
        if unknownUsers + unknownItems > 0 { s += ", \(unknownUsers) rows with unknown users and \(unknownItems) with unknown items dropped" }
        return s
    }
}
