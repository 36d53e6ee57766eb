/// Every way reading or preparing data can fail, each naming the file, the line, the field and
/// what was expected, e.g. `ratings.csv:17: column "movieId": expected an integer, found "abc"`.
///
/// Line numbers are 1-based physical lines (a quoted field spanning lines advances them).
public enum DataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file has no bytes (or only a byte-order mark / blank lines).
    case emptyFile(file: String)
    /// The file has a header (or nothing usable) but no data rows.
    case noData(file: String)
    /// A column named in the schema is not in the header.
    case missingColumn(file: String, column: String, header: [String])
    /// The header names the same column twice.
    case duplicateColumn(file: String, column: String)
    /// A line has one field that contains another common delimiter: the delimiter is wrong.
    case wrongDelimiter(file: String, line: Int, expected: String, found: String)
    /// A field could not be parsed as the column's type.
    case invalidField(file: String, line: Int, column: String, expected: String, found: String)
    /// A line has too few fields for the columns the schema needs.
    case missingFields(file: String, line: Int, expected: Int, found: Int)
    /// A record of a file with a header holds more fields than the header names (a stray
    /// delimiter, an unquoted comma in a field).
    case extraFields(file: String, line: Int, header: Int, found: Int)
    /// The last line of the file ends early (no newline and missing fields, or an open quote).
    case truncatedLastLine(file: String, line: Int, detail: String)
    /// A quote is not closed, or a closing quote is followed by something other than a delimiter.
    case malformedQuote(file: String, line: Int, column: String, detail: String)
    /// A text field is not valid UTF-8.
    case invalidUTF8(file: String, line: Int, column: String)
    /// A line (record) is longer than the reader's limit.
    case lineTooLong(file: String, line: Int, limit: Int)
    /// An id is not in a vocabulary (at query time).
    case unknownId(vocabulary: String, id: String)
    /// The file could not be opened, read or written.
    case io(file: String, message: String)
    /// The file's format could not be recognised or is inconsistent.
    case unrecognizedFormat(file: String, detail: String)
    /// An operation was asked for something the data cannot give (e.g. a rating filter without ratings).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .emptyFile(let file):
            return "\(file): the file is empty"
        case .noData(let file):
            return "\(file): no data rows (expected at least one line of interactions)"
        case .missingColumn(let file, let column, let header):
            return "\(file):1: expected a column \"\(column)\", found the columns "
                + header.map { "\"\($0)\"" }.joined(separator: ", ")
        case .duplicateColumn(let file, let column):
            return "\(file):1: the header names column \"\(column)\" twice"
        case .wrongDelimiter(let file, let line, let expected, let found):
            return "\(file):\(line): expected fields separated by \(expected), found \(found) instead (wrong delimiter?)"
        case .invalidField(let file, let line, let column, let expected, let found):
            return "\(file):\(line): column \"\(column)\": expected \(expected), found \"\(found)\""
        case .extraFields(let file, let line, let header, let found):
            return "\(file):\(line): expected \(header) fields (as many as the header names), found \(found); quote a field that holds the delimiter"
        case .missingFields(let file, let line, let expected, let found):
            return "\(file):\(line): expected at least \(expected) fields, found \(found)"
        case .truncatedLastLine(let file, let line, let detail):
            return "\(file):\(line): the last line is truncated: \(detail)"
        case .malformedQuote(let file, let line, let column, let detail):
            return "\(file):\(line): column \"\(column)\": \(detail)"
        case .invalidUTF8(let file, let line, let column):
            return "\(file):\(line): column \"\(column)\": expected UTF-8 text, found invalid bytes"
        case .lineTooLong(let file, let line, let limit):
            return "\(file):\(line): the line is longer than the limit of \(limit) bytes"
        case .unknownId(let vocabulary, let id):
            // Control characters escaped as the readers show them (a raw one could rewrite the terminal).
            var shown = ""
            for u in id.unicodeScalars {
                if u.value < 0x20 || (u.value >= 0x7F && u.value <= 0x9F) { shown += u.escaped(asASCII: true) } else { shown.unicodeScalars.append(u) }
            }
            return "unknown \(vocabulary) id \"\(shown)\" (not in the vocabulary)"
        case .io(let file, let message):
            return "\(file): \(message)"
        case .unrecognizedFormat(let file, let detail):
            return "\(file): \(detail)"
        case .invalidRequest(let message):
            return message
        }
    }
}

/// Shows at most `limit` bytes of a field in an error message, invalid UTF-8 repaired.
func excerpt(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int = 40) -> String {
    let shown = UnsafeBufferPointer(rebasing: bytes.prefix(limit))
    let text = String(decoding: shown, as: UTF8.self)
    return bytes.count > limit ? text + "…" : text
}
