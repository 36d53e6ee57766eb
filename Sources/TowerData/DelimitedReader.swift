/// Reads interactions from delimited text (RFC 4180 CSV, TSV, any delimiter), columns chosen by
/// header name or position, streaming in large chunks and parsing bytes directly.
public enum DelimitedReader {
    /// Reads `path` with `schema`.
    ///
    /// - Parameter vocabularies: for a test file, the train vocabularies: ids are mapped through
    ///   them, rows with unknown users or items are dropped and counted in the report.
    /// - Returns: the log (vocabularies in order of first appearance) and what was read.
    public static func read(path: String, format: DelimitedFormat = .csv, schema: Schema = Schema(),
                            options: ReadOptions = ReadOptions(),
                            vocabularies: (user: Vocabulary, item: Vocabulary)? = nil)
        throws(DataError) -> (log: InteractionLog, report: ReadReport) {
        let name = FileIO.displayName(path)
        guard !format.delimiter.isEmpty,
              !format.delimiter.utf8.contains(where: { $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
            throw .invalidRequest("delimiter \(format.delimiter.debugDescription) is not allowed (it must be non-empty without quotes or line ends)")
        }
        let file = try ChunkedFile(path: path)
        var tok = RecordTokenizer(file: file, delimiter: Array(format.delimiter.utf8), quoting: format.quoting,
                                  maxRecordBytes: options.maxLineBytes)
        var report = ReadReport(file: name)

        // Header and column positions.
        var header: [String] = []
        var sawAnyRecord = false
        if format.hasHeader {
            guard try tok.next() else { throw .emptyFile(file: name) }
            sawAnyRecord = true
            for f in 0..<tok.fieldCount {
                let field = tok.field(f)
                guard let s = String(validating: field, as: UTF8.self) else {
                    throw .invalidUTF8(file: name, line: tok.line, column: "header field \(f + 1)")
                }
                header.append(s.trimmingSpaces())
            }
            var seen = Set<String>()
            for h in header where !h.isEmpty {
                if !seen.insert(h).inserted { throw .duplicateColumn(file: name, column: h) }
            }
            tok.columnNames = header
        }
        func resolve(_ ref: ColumnReference) throws(DataError) -> Int {
            switch ref {
            case .index(let i):
                precondition(i >= 0, "DelimitedReader: negative column index \(i)")
                return i
            case .name(let n):
                guard format.hasHeader else {
                    throw .invalidRequest("\(name): column \"\(n)\" is named but the format has no header; use a column index")
                }
                if let i = header.firstIndex(of: n) { return i }
                if header.count == 1, let other = otherDelimiter(in: header[0], than: format.delimiter) {
                    throw .wrongDelimiter(file: name, line: 1, expected: delimiterName(format.delimiter), found: delimiterName(other))
                }
                throw .missingColumn(file: name, column: n, header: header)
            }
        }
        let userIndex = try resolve(schema.user)
        let itemIndex = try resolve(schema.item)
        let timeIndex = try schema.timestamp.map { (r) throws(DataError) in try resolve(r) } ?? -1
        let ratingIndex = try schema.rating.map { (r) throws(DataError) in try resolve(r) } ?? -1
        var builder = InteractionLogBuilder(hasTimestamps: timeIndex >= 0, hasRatings: ratingIndex >= 0,
                                            vocabularies: vocabularies)
        for feature in schema.features {
            let index = try resolve(feature.column)
            let fb = FeatureBuilder(spec: feature, fieldIndex: index)
            if feature.target == .user { builder.userFeatures.append(fb) } else { builder.itemFeatures.append(fb) }
        }
        let needed = ([userIndex, itemIndex, timeIndex, ratingIndex] + schema.features.map { _ in 0 }).max()! + 1
        let neededFields = max(needed, (builder.userFeatures + builder.itemFeatures).map { $0.fieldIndex + 1 }.max() ?? 0)
        func columnName(_ i: Int) -> String { i < header.count ? header[i] : "column \(i + 1)" }
        let userName = columnName(userIndex), itemName = columnName(itemIndex)
        let timeName = timeIndex >= 0 ? columnName(timeIndex) : ""
        let ratingName = ratingIndex >= 0 ? columnName(ratingIndex) : ""
        let checkUserInteger = schema.userIdKind == .integer, checkItemInteger = schema.itemIdKind == .integer
        let hasFeatures = !builder.userFeatures.isEmpty || !builder.itemFeatures.isEmpty
        let startOffset = tok.byteOffset
        // Canonical integer ids are written here when the field's text is not canonical (IdRule).
        let userScratch = UnsafeMutablePointer<UInt8>.allocate(capacity: IdRule.scratchBytes)
        let itemScratch = UnsafeMutablePointer<UInt8>.allocate(capacity: IdRule.scratchBytes)
        defer { userScratch.deallocate(); itemScratch.deallocate() }

        while try tok.next() {
            sawAnyRecord = true
            report.records += 1
            if report.records == 1024 {
                let perRecord = Double(tok.byteOffset - startOffset) / 1024
                builder.reserve(Int(Double(file.fileSize - startOffset) / max(perRecord, 1) * 1.05) + 1024)
            }
            do throws(DataError) {
                if tok.fieldCount < neededFields {
                    if tok.fieldCount == 1, let other = otherDelimiter(in: String(decoding: tok.field(0), as: UTF8.self), than: format.delimiter) {
                        throw .wrongDelimiter(file: name, line: tok.line, expected: delimiterName(format.delimiter), found: delimiterName(other))
                    }
                    if !tok.terminated {
                        throw .truncatedLastLine(file: name, line: tok.line, detail: "expected at least \(neededFields) fields, found \(tok.fieldCount)")
                    }
                    throw .missingFields(file: name, line: tok.line, expected: neededFields, found: tok.fieldCount)
                }
                if format.hasHeader, tok.fieldCount > header.count {
                    throw .extraFields(file: name, line: tok.line, header: header.count, found: tok.fieldCount)
                }
                let (up, un) = try IdRule.normalized(tok.start(userIndex), tok.length(userIndex), integer: checkUserInteger,
                                                     scratch: userScratch, file: name, line: tok.line, column: userName, what: "a user id")
                let (ip, inn) = try IdRule.normalized(tok.start(itemIndex), tok.length(itemIndex), integer: checkItemInteger,
                                                      scratch: itemScratch, file: name, line: tok.line, column: itemName, what: "an item id")
                var t: Int64 = 0
                if timeIndex >= 0 {
                    guard let v = FieldParsing.int64(tok.start(timeIndex), tok.length(timeIndex)) else {
                        throw .invalidField(file: name, line: tok.line, column: timeName, expected: "an integer timestamp", found: excerpt(tok.field(timeIndex)))
                    }
                    t = v
                }
                var r: Float = 0
                if ratingIndex >= 0 {
                    guard let v = FieldParsing.float(tok.start(ratingIndex), tok.length(ratingIndex)) else {
                        throw .invalidField(file: name, line: tok.line, column: ratingName,
                                            expected: "a decimal number within ±3.4e38", found: excerpt(tok.field(ratingIndex)))
                    }
                    r = v
                }
                if hasFeatures {
                    for fb in builder.userFeatures + builder.itemFeatures
                    where !FieldParsing.isValidUTF8(tok.start(fb.fieldIndex), tok.length(fb.fieldIndex)) {
                        throw .invalidUTF8(file: name, line: tok.line, column: columnName(fb.fieldIndex))
                    }
                }
                guard let (user, userIsNew) = builder.userRow(up, un) else {
                    report.dropUnknownUser(up, un, line: tok.line)
                    continue
                }
                if userIsNew {
                    for k in builder.userFeatures.indices {
                        let f = builder.userFeatures[k].fieldIndex
                        builder.userFeatures[k].addRow(tok.start(f), tok.length(f))
                    }
                }
                guard let (item, itemIsNew) = builder.itemRow(ip, inn) else {
                    report.dropUnknownItem(ip, inn, line: tok.line)
                    continue
                }
                if itemIsNew {
                    for k in builder.itemFeatures.indices {
                        let f = builder.itemFeatures[k].fieldIndex
                        builder.itemFeatures[k].addRow(tok.start(f), tok.length(f))
                    }
                }
                builder.append(user: user, item: item)
                if timeIndex >= 0 { builder.timestamps!.append(t) }
                if ratingIndex >= 0 { builder.ratings!.append(r) }
            } catch {
                if options.skipBadLines { report.skip(error) } else { throw error }
            }
        }
        if !sawAnyRecord { throw .emptyFile(file: name) }
        if builder.users.isEmpty && report.skippedLines == 0 && report.unknownUsers + report.unknownItems == 0 {
            throw .noData(file: name)
        }
        let log = builder.finish()
        report.rows = log.count
        return (log, report)
    }
}

/// A common delimiter other than `expected` found in `text`, if any.
func otherDelimiter(in text: String, than expected: String) -> String? {
    for d in [",", "\t", ";", "|", "::"] where d != expected && !expected.contains(d) && text.contains(d) { return d }
    return nil
}

func delimiterName(_ d: String) -> String {
    switch d {
    case ",": return "commas"
    case "\t": return "tabs"
    case ";": return "semicolons"
    case "|": return "bars"
    case " ": return "spaces"
    default: return "\"\(d)\""
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
