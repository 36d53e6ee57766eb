/// Splits delimited text into records of fields, byte by byte, reading the file in chunks.
///
/// RFC 4180: fields may be quoted with `"`; a quoted field may hold delimiters, newlines and
/// doubled quotes (`""` → `"`). A quote inside an unquoted field is kept literally (lenient, as
/// most exporters write `5'11"`). `\r\n` and `\n` both end lines, and so does a lone `\r` in a
/// file whose first line ends with one (classic Mac OS files: ``lineEnd`` is then `\r`); a UTF-8
/// byte-order mark at the start is skipped; blank lines are skipped. Field bytes stay in the read buffer (quoted fields
/// are unescaped in place), valid until the next call to ``next()``.
struct RecordTokenizer {
    let file: ChunkedFile
    private let d0: UInt8
    private let delimiter: [UInt8]
    private let quote: UInt8
    private let quoting: Bool
    private let maxRecordBytes: Int
    private var base: UnsafeMutablePointer<UInt8>
    private var pos = 0
    private var store: FieldStore
    /// Names of the columns (for error messages), when known.
    var columnNames: [String] = []

    /// Number of fields in the current record.
    private(set) var fieldCount = 0
    /// Line (1-based) where the current record starts.
    private(set) var line = 0
    /// False when the current record is the last one and had no line end.
    private(set) var terminated = true
    private var nextLine = 1
    /// The byte that ends lines: `\n` (with an optional `\r` before it), or `\r` when the first
    /// line ends with a `\r` not followed by `\n`.
    private(set) var lineEnd: UInt8 = 0x0A

    init(file: ChunkedFile, delimiter: [UInt8], quoting: Bool, maxRecordBytes: Int) {
        precondition(!delimiter.isEmpty, "RecordTokenizer: empty delimiter")
        self.file = file
        self.delimiter = delimiter
        self.d0 = delimiter[0]
        self.quote = 0x22
        self.quoting = quoting
        self.maxRecordBytes = maxRecordBytes
        self.base = file.buffer
        self.store = FieldStore(capacity: 64)
    }

    /// Start of field `i` of the current record.
    @inline(__always) func start(_ i: Int) -> UnsafePointer<UInt8> { UnsafePointer(base + store.starts[i]) }
    /// Length in bytes of field `i`.
    @inline(__always) func length(_ i: Int) -> Int { store.lengths[i] }
    /// Field `i` as a buffer.
    func field(_ i: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start(i), count: length(i)) }

    /// Bytes of the file consumed so far.
    var byteOffset: Int { file.consumedBefore + pos }

    func columnName(_ i: Int) -> String { i < columnNames.count ? columnNames[i] : "column \(i + 1)" }

    private enum Scan { case complete(Int, Bool), needMore }

    /// Advances to the next non-blank record; false at the end of the file.
    mutating func next() throws(DataError) -> Bool {
        while true {
            if pos >= file.filled {
                if file.atEnd { return false }
                try file.refill(dropping: pos); base = file.buffer; pos = 0
                if file.consumedBefore == 0 { skipBOM(); detectLineEnd() }
                continue
            }
            let newlinesBefore = nextLine
            switch try scan() {
            case .needMore:
                nextLine = newlinesBefore
                if pos == 0 && file.filled >= file.capacity {
                    if file.capacity > maxRecordBytes {
                        throw .lineTooLong(file: file.name, line: nextLine, limit: maxRecordBytes)
                    }
                    try file.refill(dropping: 0, grow: true)
                } else {
                    try file.refill(dropping: pos)
                }
                base = file.buffer; pos = 0
            case .complete(let end, let wasTerminated):
                line = newlinesBefore
                if end - pos > maxRecordBytes + 2 {
                    throw .lineTooLong(file: file.name, line: line, limit: maxRecordBytes)
                }
                pos = end
                terminated = wasTerminated
                if fieldCount == 1 && store.lengths[0] == 0 && !store.quoted[0] { continue }   // blank line
                for f in 0..<fieldCount where store.escaped[f] { unescape(f) }
                return true
            }
        }
    }

    private mutating func skipBOM() {
        if file.filled >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { pos = 3 }
    }

    /// Classic Mac OS line ends: the first line end of the file is a `\r` not followed by `\n`.
    private mutating func detectLineEnd() {
        var p = pos
        while p < file.filled && base[p] != 0x0A && base[p] != 0x0D { p += 1 }
        if p < file.filled && base[p] == 0x0D && (p + 1 < file.filled ? base[p + 1] != 0x0A : file.atEnd) {
            lineEnd = 0x0D
        }
    }

    @inline(__always)
    private mutating func addField(_ s: Int, _ n: Int, quoted: Bool, escaped: Bool) {
        if fieldCount == store.capacity { store.grow() }
        store.starts[fieldCount] = s
        store.lengths[fieldCount] = n
        store.quoted[fieldCount] = quoted
        store.escaped[fieldCount] = escaped
        fieldCount += 1
    }

    @inline(__always)
    private func delimiterAt(_ p: Int, _ end: Int) -> Bool {
        if delimiter.count == 1 { return true }
        if p + delimiter.count > end { return false }
        for k in 1..<delimiter.count where base[p + k] != delimiter[k] { return false }
        return true
    }

    private mutating func scan() throws(DataError) -> Scan {
        let end = file.filled
        let atEnd = file.atEnd
        let b = base
        let dlen = delimiter.count
        let nl = lineEnd
        var p = pos
        let recordLine = nextLine
        fieldCount = 0
        while true {
            if quoting && p < end && b[p] == quote {
                p += 1
                let contentStart = p
                var escaped = false
                while true {
                    if p >= end {
                        if atEnd {
                            throw .truncatedLastLine(file: file.name, line: recordLine,
                                                     detail: "a quoted field in \(columnName(fieldCount)) is never closed")
                        }
                        return .needMore
                    }
                    let c = b[p]
                    if c == quote {
                        if p + 1 >= end && !atEnd { return .needMore }
                        if p + 1 < end && b[p + 1] == quote { escaped = true; p += 2; continue }
                        break
                    }
                    if c == nl { nextLine += 1 }
                    p += 1
                }
                addField(contentStart, p - contentStart, quoted: true, escaped: escaped)
                p += 1
                if p >= end {
                    if atEnd { return .complete(p, false) }
                    return .needMore
                }
                let c = b[p]
                if c == d0 {
                    if dlen > 1 && p + dlen > end && !atEnd { return .needMore }
                    if delimiterAt(p, end) { p += dlen; continue }
                }
                if c == nl { nextLine += 1; return .complete(p + 1, true) }
                if c == 0x0D {
                    if p + 1 >= end && !atEnd { return .needMore }
                    if p + 1 < end && b[p + 1] == 0x0A { nextLine += 1; return .complete(p + 2, true) }
                }
                throw .malformedQuote(file: file.name, line: nextLine, column: columnName(fieldCount - 1),
                                      detail: "expected a delimiter or a line end after the closing quote, found \"\(String(decoding: [c], as: UTF8.self))\"")
            }
            let s = p
            var sawDelimiter = false
            while p < end {
                let c = b[p]
                if c == d0 {
                    if dlen > 1 && p + dlen > end && !atEnd { return .needMore }
                    if delimiterAt(p, end) {
                        addField(s, p - s, quoted: false, escaped: false)
                        p += dlen
                        sawDelimiter = true
                        break
                    }
                } else if c == nl {
                    var n = p - s
                    if n > 0 && b[p - 1] == 0x0D { n -= 1 }
                    addField(s, n, quoted: false, escaped: false)
                    nextLine += 1
                    return .complete(p + 1, true)
                }
                p += 1
            }
            if sawDelimiter { continue }
            if !atEnd { return .needMore }
            var n = p - s
            if n > 0 && b[p - 1] == 0x0D { n -= 1 }
            addField(s, n, quoted: false, escaped: false)
            return .complete(p, false)
        }
    }

    private mutating func unescape(_ f: Int) {
        let s = store.starts[f], n = store.lengths[f]
        var w = s, r = s
        while r < s + n {
            base[w] = base[r]
            r += base[r] == quote ? 2 : 1
            w += 1
        }
        store.lengths[f] = w - s
        store.escaped[f] = false
    }
}

/// Preallocated per-record field arrays (grown only when a record has more fields than ever seen).
final class FieldStore {
    @exclusivity(unchecked) var starts: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) var lengths: UnsafeMutablePointer<Int>
    @exclusivity(unchecked) var quoted: UnsafeMutablePointer<Bool>
    @exclusivity(unchecked) var escaped: UnsafeMutablePointer<Bool>
    @exclusivity(unchecked) var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        starts = .allocate(capacity: capacity); lengths = .allocate(capacity: capacity)
        quoted = .allocate(capacity: capacity); escaped = .allocate(capacity: capacity)
    }

    func grow() {
        let c = capacity * 2
        let s = UnsafeMutablePointer<Int>.allocate(capacity: c); s.update(from: starts, count: capacity)
        let l = UnsafeMutablePointer<Int>.allocate(capacity: c); l.update(from: lengths, count: capacity)
        let q = UnsafeMutablePointer<Bool>.allocate(capacity: c); q.update(from: quoted, count: capacity)
        let e = UnsafeMutablePointer<Bool>.allocate(capacity: c); e.update(from: escaped, count: capacity)
        starts.deallocate(); lengths.deallocate(); quoted.deallocate(); escaped.deallocate()
        starts = s; lengths = l; quoted = q; escaped = e; capacity = c
    }

    deinit { starts.deallocate(); lengths.deallocate(); quoted.deallocate(); escaped.deallocate() }
}

extension RecordTokenizer {
    /// Reads the first record as the header: its fields, trimmed, become ``columnNames`` (so
    /// later errors name columns) and are returned.
    /// - Throws: `DataError.emptyFile` for a file without a line, `.invalidUTF8` naming the field.
    mutating func readHeader(file name: String) throws(DataError) -> [String] {
        guard try next() else { throw .emptyFile(file: name) }
        var header: [String] = []
        for f in 0..<fieldCount {
            guard let s = String(validating: field(f), as: UTF8.self) else {
                throw .invalidUTF8(file: name, line: 1, column: "header field \(f + 1)")
            }
            header.append(s.trimmingSpaces())
        }
        columnNames = header
        return header
    }
}
