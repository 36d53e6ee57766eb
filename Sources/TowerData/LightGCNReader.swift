/// Reads the LightGCN text format (`train.txt` / `test.txt` of the published Gowalla, Yelp2018
/// and Amazon-Book splits): each line is a user id followed by that user's item ids, separated by
/// spaces. Ids must be integers. A user with no items still gets a vocabulary row.
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
                for f in first..<tok.fieldCount where tok.length(f) > 0 {
                    var (p, n) = FieldParsing.trimmed(tok.start(f), tok.length(f))
                    if n == 0 { (p, n) = (tok.start(f), tok.length(f)) }
                    try checkId(p, n, integer: true, file: name, line: tok.line,
                                column: f == first ? "user" : "item \(f - first)", what: f == first ? "a user id" : "an item id")
                }
                let (up, un) = FieldParsing.trimmed(tok.start(first), tok.length(first))
                guard let (user, _) = builder.userRow(up, un) else {
                    report.dropUnknownUser(up, un, line: tok.line)
                    continue
                }
                for f in (first + 1)..<tok.fieldCount {
                    let (p, n) = FieldParsing.trimmed(tok.start(f), tok.length(f))
                    if n == 0 { continue }
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
