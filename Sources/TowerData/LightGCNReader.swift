/// Reads the LightGCN text format (`train.txt` / `test.txt` of the published Gowalla, Yelp2018
/// and Amazon-Book splits): each line is a user id followed by that user's item ids, separated by
/// spaces. Ids are integers, kept in canonical form (`01` and `+1` are `1`; see ``IdRule``). A user with no items still gets a vocabulary row.
public enum LightGCNReader {
    /// Reads `path`; with `vocabularies` (the train set's), ids are mapped through them and rows
    /// with unknown users or items are dropped and counted.
    public static func read(path: String, options: ReadOptions = ReadOptions(),
                            vocabularies: (user: Vocabulary, item: Vocabulary)? = nil)
        throws(DataError) -> (log: InteractionLog, report: ReadReport) {
        let name = FileIO.displayName(path)
        let file = try ChunkedFile(path: path)
        var tok = RecordTokenizer(file: file, delimiter: [0x20], quoting: false, maxRecordBytes: options.maxLineBytes)
        tok.columnNames = ["user"]
        var report = ReadReport(file: name)
        var builder = InteractionLogBuilder(hasTimestamps: false, hasRatings: false, vocabularies: vocabularies)
        var sawAny = false
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: IdRule.scratchBytes)
        defer { scratch.deallocate() }
        while try tok.next() {
            sawAny = true
            report.records += 1
            do throws(DataError) {
                // Leading empty fields (extra spaces) are ignored.
                var first = 0
                while first < tok.fieldCount && tok.length(first) == 0 { first += 1 }
                if first == tok.fieldCount { continue }
                if tok.fieldCount == 1 || first == tok.fieldCount - 1,
                   let other = otherDelimiter(in: String(decoding: tok.field(first), as: UTF8.self), than: " ") {
                    throw .wrongDelimiter(file: name, line: tok.line, expected: "spaces", found: delimiterName(other))
                }
                // Every id of the line is checked before any is used: a bad line adds nothing.
                for f in first..<tok.fieldCount where tok.length(f) > 0 {
                    if f > first && FieldParsing.trimmed(tok.start(f), tok.length(f)).1 == 0 { continue }
                    _ = try IdRule.normalized(tok.start(f), tok.length(f), integer: true, scratch: scratch, file: name, line: tok.line,
                                              column: f == first ? "user" : "item \(f - first)", what: f == first ? "a user id" : "an item id")
                }
                let (up, un) = try IdRule.normalized(tok.start(first), tok.length(first), integer: true, scratch: scratch,
                                                     file: name, line: tok.line, column: "user", what: "a user id")
                guard let (user, _) = builder.userRow(up, un) else {
                    report.dropUnknownUser(up, un, line: tok.line)
                    continue
                }
                for f in (first + 1)..<tok.fieldCount where tok.length(f) > 0 {
                    // A field of only spaces/tabs between items (e.g. "1 2 \t 3") is no item.
                    if FieldParsing.trimmed(tok.start(f), tok.length(f)).1 == 0 { continue }
                    let (p, n) = try IdRule.normalized(tok.start(f), tok.length(f), integer: true, scratch: scratch, file: name,
                                                       line: tok.line, column: "item \(f - first)", what: "an item id")
                    guard let (item, _) = builder.itemRow(p, n) else { report.dropUnknownItem(p, n, line: tok.line); continue }
                    builder.append(user: user, item: item)
                }
            } catch {
                if options.skipBadLines { report.skip(error) } else { throw error }
            }
        }
        if !sawAny { throw .emptyFile(file: name) }
        if builder.users.isEmpty && report.skippedLines == 0 && report.unknownUsers + report.unknownItems == 0 {
            throw .noData(file: name)
        }
        let log = builder.finish()
        report.rows = log.count
        return (log, report)
    }
}
