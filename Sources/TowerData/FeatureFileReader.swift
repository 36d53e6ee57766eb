/// A numeric side feature of users or items, one raw value per row (`nil`: no value — the row is
/// not in the file or its field is empty). Normalisation happens where the towers take it
/// (`EntityFeature.numeric` in TwoTower).
public struct NumericFeatureTable: Sendable, Equatable {
    public var name: String
    public var target: FeatureTarget
    /// `[rows]`, aligned to the vocabulary the file was read against.
    public var values: [Double?]

    public init(name: String, target: FeatureTarget, values: [Double?]) {
        self.name = name; self.target = target; self.values = values
    }
}

/// What ``FeatureFileReader/read(path:format:key:keyKind:columns:vocabulary:target:options:)`` found.
public struct FeatureFileContents: Sendable, Equatable {
    /// The file as named in messages.
    public var file: String
    /// Categorical and multi-valued columns, rows aligned to the vocabulary. The last value of
    /// each table's vocabulary is the reserved "missing" value (text `""`, never a real value:
    /// empty values are missing): rows without a line in the file, or with an empty field, hold it.
    public var tables: [FeatureTable]
    /// Numeric columns, rows aligned to the vocabulary.
    public var numeric: [NumericFeatureTable]
    /// Every column used, with its kind resolved (given or inferred), in file order.
    public var columns: [FeatureFileColumn]
    /// Data lines read (header excluded).
    public var records = 0
    /// Rows of the vocabulary that have a line.
    public var matchedRows = 0
    /// Rows of the vocabulary without a line (they get the missing value).
    public var rowsWithoutLine = 0
    /// Lines whose key is not in the vocabulary (ignored), with the first one.
    public var unknownKeys = 0
    public var firstUnknown: ReadReport.UnknownId?
    /// Bad lines skipped (only with ``ReadOptions/skipBadLines``).
    public var skippedLines = 0

    /// One line for standard error: `items.csv: 9742 lines, 9724 of 9725 items have a line (genres:multi, year:numeric), 18 unknown ids ignored (first: "123", line 5), 1 item without a line gets the missing value`.
    public var summary: String {
        let what = tables.first.map { $0.target == .user ? "users" : "items" } ?? numeric.first.map { $0.target == .user ? "users" : "items" } ?? "rows"
        var s = "\(file): \(records) lines, \(matchedRows) of \(matchedRows + rowsWithoutLine) \(what) have a line"
        s += " (" + columns.map(\.description).joined(separator: ", ") + ")"
        s += unknownKeys == 1 ? ", 1 unknown id ignored" : ", \(unknownKeys) unknown ids ignored"
        if let f = firstUnknown { s += " (first: \"\(f.id)\", line \(f.line))" }
        if rowsWithoutLine == 1 { s += ", 1 \(what.dropLast()) without a line gets the missing value" }
        if rowsWithoutLine > 1 { s += ", \(rowsWithoutLine) \(what) without a line get the missing value" }
        if skippedLines > 0 { s += skippedLines == 1 ? ", 1 bad line skipped" : ", \(skippedLines) bad lines skipped" }
        return s
    }
}

/// Reads a side-feature file: a CSV/TSV with a header, one line per user or item keyed by an id
/// column, the other columns categorical, multi-valued or numeric (``FeatureFileColumn``).
///
/// Kind inference for a column given without a kind: numeric when every non-empty value in the
/// file is a decimal number; else multi-valued when some value holds `|`; else categorical. So a
/// numeric-looking code (zip code, occupation number) is spelled `zip:categorical`.
public enum FeatureFileReader {
    /// Reads `path` against `vocabulary` (the log's users or items, in their final row order).
    /// - Parameters:
    ///   - key: header name of the id column.
    ///   - keyKind: how ids are compared (`.integer` for MovieLens / LightGCN ids: `01` is `1`).
    ///   - columns: the columns to use; `nil`: every column but the key, kinds inferred.
    /// - Throws: ``DataError`` naming the file, line and column: `missingColumn` (key or feature
    ///   column not in the header), `invalidField` (a non-number in a numeric column, a bad key,
    ///   a key on a second line — skipped and counted with `skipBadLines`),
    ///   `invalidUTF8`, `missingFields`, `noData`; `invalidRequest` for a column without values.
    public static func read(path: String, format: DelimitedFormat, key: String, keyKind: IdKind,
                            columns requested: [FeatureFileColumn]?, vocabulary: Vocabulary, target: FeatureTarget,
                            options: ReadOptions = ReadOptions()) throws(DataError) -> FeatureFileContents {
        let name = FileIO.displayName(path)
        let file = try ChunkedFile(path: path)
        var tok = RecordTokenizer(file: file, delimiter: Array(format.delimiter.utf8), quoting: format.quoting,
                                  maxRecordBytes: options.maxLineBytes)
        let header = try tok.readHeader(file: name)
        func resolve(_ column: String) throws(DataError) -> Int {
            if let i = header.firstIndex(of: column) {
                if header[(i + 1)...].contains(column) { throw .duplicateColumn(file: name, column: column) }
                return i
            }
            if header.count == 1, let other = otherDelimiter(in: header[0], than: format.delimiter) {
                throw .wrongDelimiter(file: name, line: 1, expected: delimiterName(format.delimiter), found: delimiterName(other))
            }
            throw .missingColumn(file: name, column: column, header: header)
        }
        let keyIndex = try resolve(key)
        let wanted = requested ?? header.enumerated().filter { $0.offset != keyIndex }.map { FeatureFileColumn(name: $0.element) }
        guard !wanted.isEmpty else {
            throw .invalidRequest("\(name): no feature column besides the key column \"\(key)\" (the header names \(header.map { "\"\($0)\"" }.joined(separator: ", ")))")
        }
        if let k = wanted.first(where: { $0.name == key }) {
            throw .invalidRequest("\(name): column \"\(k.name)\" is the key column; it cannot be a feature as well")
        }
        var indices: [Int] = []
        for c in wanted { indices.append(try resolve(c.name)) }
        let needed = (indices + [keyIndex]).max()! + 1

        let keys = ByteKeyTable(ids: vocabulary.ids)
        let rows = vocabulary.count
        var raw = [[String?]](repeating: [String?](repeating: nil, count: rows), count: wanted.count)
        var firstLine = [Int](repeating: 0, count: rows)   // 0: no line yet
        // Inference per column: every non-empty value a number; some value holding `|`; any value.
        var allNumeric = [Bool](repeating: true, count: wanted.count)
        var hasBar = [Bool](repeating: false, count: wanted.count)
        var hasValue = [Bool](repeating: false, count: wanted.count)
        var out = FeatureFileContents(file: name, tables: [], numeric: [], columns: [])
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: IdRule.scratchBytes)
        defer { scratch.deallocate() }
        while try tok.next() {
            do throws(DataError) {
                if tok.fieldCount < needed {
                    throw tok.terminated
                        ? DataError.missingFields(file: name, line: tok.line, expected: needed, found: tok.fieldCount)
                        : DataError.truncatedLastLine(file: name, line: tok.line, detail: "expected at least \(needed) fields, found \(tok.fieldCount)")
                }
                let (kp, kn) = try IdRule.normalized(tok.start(keyIndex), tok.length(keyIndex), integer: keyKind == .integer,
                                                     scratch: scratch, file: name, line: tok.line,
                                                     column: tok.columnName(keyIndex), what: "a key id")
                var values: [String] = []
                for (c, index) in indices.enumerated() {
                    let (p, n) = FieldParsing.trimmed(tok.start(index), tok.length(index))
                    guard FieldParsing.isValidUTF8(p, n) else {
                        throw DataError.invalidUTF8(file: name, line: tok.line, column: tok.columnName(index))
                    }
                    if n > 0 {
                        let number = FieldParsing.double(p, n) != nil
                        if wanted[c].kind == .numeric, !number {
                            throw DataError.invalidField(file: name, line: tok.line, column: tok.columnName(index),
                                                         expected: "a number (the column is numeric; an empty field is a missing value)",
                                                         found: IdRule.shown(UnsafeBufferPointer(start: p, count: n)))
                        }
                        hasValue[c] = true
                        if !number { allNumeric[c] = false }
                        if !hasBar[c], UnsafeBufferPointer(start: p, count: n).contains(UInt8(ascii: "|")) { hasBar[c] = true }
                    }
                    values.append(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self))
                }
                out.records += 1
                guard let row = keys.find(kp, kn) else {
                    out.unknownKeys += 1
                    if out.firstUnknown == nil {
                        out.firstUnknown = .init(kind: target == .user ? "user" : "item",
                                                 id: excerpt(UnsafeBufferPointer(start: kp, count: kn)), line: tok.line)
                    }
                    continue
                }
                guard firstLine[Int(row)] == 0 else {
                    throw DataError.invalidField(file: name, line: tok.line, column: tok.columnName(keyIndex),
                                                 expected: "one line per id (this id is on line \(firstLine[Int(row)]) already)",
                                                 found: IdRule.shown(UnsafeBufferPointer(start: kp, count: kn)))
                }
                firstLine[Int(row)] = tok.line
                for c in values.indices { raw[c][Int(row)] = values[c] }
            } catch {
                guard options.skipBadLines else { throw error }
                out.skippedLines += 1
            }
        }
        guard out.records > 0 else { throw .noData(file: name) }
        out.matchedRows = firstLine.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        out.rowsWithoutLine = rows - out.matchedRows
        for (c, column) in wanted.enumerated() {
            guard hasValue[c] else {
                throw .invalidRequest("\(name): column \"\(column.name)\" has no values (every field is empty)")
            }
            let kind = column.kind ?? (allNumeric[c] ? .numeric : hasBar[c] ? .multiValued(separator: UInt8(ascii: "|")) : .categorical)
            out.columns.append(FeatureFileColumn(name: column.name, kind: kind))
            switch kind {
            case .numeric:
                out.numeric.append(NumericFeatureTable(name: column.name, target: target, values: raw[c].map { text in
                    guard let text, !text.isEmpty else { return nil }
                    return text.utf8CString.withUnsafeBufferPointer { b in
                        b.withMemoryRebound(to: UInt8.self) { FieldParsing.double($0.baseAddress!, $0.count - 1) }
                    }
                }))
            case .categorical, .multiValued:
                out.tables.append(embeddedTable(column.name, kind: kind, raw: raw[c], target: target))
            }
        }
        return out
    }

    /// CSR ids in order of first appearance over rows, the reserved missing value last.
    private static func embeddedTable(_ name: String, kind: FeatureFileColumn.Kind, raw: [String?],
                                      target: FeatureTarget) -> FeatureTable {
        var ids: [String: Int32] = [:]
        var texts: [String] = []
        var counts: [Int] = []
        var offsets: [Int32] = [0], values: [Int32] = []
        offsets.reserveCapacity(raw.count + 1)
        var missingRows = 0
        for text in raw {
            let parts: [String]
            switch kind {
            case .multiValued(let separator):
                parts = (text ?? "").split(separator: Character(Unicode.Scalar(separator))).map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            default:
                parts = (text ?? "").isEmpty ? [] : [text!]
            }
            let start = values.count
            for part in parts {
                let id: Int32
                if let known = ids[part] { id = known } else {
                    id = Int32(texts.count); ids[part] = id; texts.append(part); counts.append(0)
                }
                counts[Int(id)] += 1
                values.append(id)
            }
            if values.count == start { values.append(-1); missingRows += 1 }
            offsets.append(Int32(values.count))
        }
        let missing = Int32(texts.count)
        for k in values.indices where values[k] < 0 { values[k] = missing }
        let featureKind: FeatureKind = if case .multiValued(let s) = kind { .multiValued(separator: s) } else { .categorical }
        return FeatureTable(name: name, target: target, kind: featureKind,
                            vocabulary: Vocabulary(name: name, ids: texts + [""], counts: counts + [missingRows]),
                            offsets: offsets, values: values)
    }
}
