/// The one rule for user and item ids, applied by every reader at read time and by every run-time
/// lookup (``Vocabulary/row(for:)``: `twotower recommend --user`, the server's `user_id`/`item_id`).
///
/// 1. Spaces and tabs around an id are removed (`" 42 "` is `42`).
/// 2. An id that is empty after that is a bad line: an error naming file, line and column
///    (skipped and counted with `--skip-bad-lines`).
/// 3. An id holding a control character (C0 U+0000–U+001F, U+007F, or C1 U+0080–U+009F: tab,
///    newline, CR, NUL…) is a bad line, found at read time (it could never be saved in a
///    vocabulary file).
/// 4. Integer formats (MovieLens, LightGCN, ``IdKind/integer``): the id must be a decimal integer
///    within Int64 and is kept in canonical form — `01`, `+1` and `1` are one user `1`; `-0` is `0`.
/// 5. Other ids (generic CSV/TSV, ``IdKind/string``) are UTF-8 text compared byte for byte after
///    trimming: `01` and `1` are two users. Generic columns hold codes (ZIP codes, SKUs such as
///    `007`) whose leading zeros are meaningful, and a column that is all-integer in one file may
///    not be in the next (a test file), so the reader never guesses.
///
/// At run time, a vocabulary whose ids are all canonical integers (every MovieLens or LightGCN
/// model) looks an integer id up in canonical form, so `--user 01` finds user `1`; there `01` can
/// name no other id. A vocabulary holding text matches exactly after trimming.
public enum IdRule {
    /// Longest canonical Int64 text: `-9223372036854775808`.
    static let scratchBytes = 24

    /// True when `b` is an ASCII control character.
    @inline(__always)
    static func isControl(_ b: UInt8) -> Bool { b < 0x20 || b == 0x7F }

    /// True when the UTF-8 `bytes` hold a C0 control, DEL or a C1 control (U+0080–U+009F, encoded
    /// `C2 80`…`C2 9F`; `C2` is always a lead byte in UTF-8, so the pair test is exact).
    static func containsControl<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        var afterC2 = false
        for b in bytes {
            if isControl(b) || (afterC2 && b >= 0x80 && b <= 0x9F) { return true }
            afterC2 = b == 0xC2
        }
        return false
    }

    /// The id's bytes after the rule: trimmed, checked, and for integers in canonical form (written
    /// to `scratch`, ``scratchBytes`` long, when the text is not canonical already).
    /// - Throws: ``DataError/invalidField(file:line:column:expected:found:)`` naming `file`,
    ///   `line` and `column` for an empty id, a control character, or (integers) a non-integer;
    ///   ``DataError/invalidUTF8(file:line:column:)`` for text that is not UTF-8.
    @inline(__always)
    static func normalized(_ p0: UnsafePointer<UInt8>, _ n0: Int, integer: Bool, scratch: UnsafeMutablePointer<UInt8>,
                           file: String, line: Int, column: String, what: String)
        throws(DataError) -> (UnsafePointer<UInt8>, Int) {
        let (p, n) = FieldParsing.trimmed(p0, n0)
        if n == 0 {
            throw .invalidField(file: file, line: line, column: column, expected: "\(what) (the id is empty after trimming spaces)",
                                found: shown(UnsafeBufferPointer(start: p0, count: n0)))
        }
        if integer {
            guard let value = FieldParsing.int64(p, n) else {
                throw .invalidField(file: file, line: line, column: column, expected: "an integer",
                                    found: shown(UnsafeBufferPointer(start: p, count: n)))
            }
            // Canonical already: no sign but a `-` before a non-zero digit, no leading zero.
            let first = p[0]
            if first == 0x2B || (first == 0x30 && n > 1) || (first == 0x2D && p[1] == 0x30) {
                return (UnsafePointer(scratch), write(value, to: scratch))
            }
            return (p, n)
        }
        var ascii = true
        for i in 0..<n {
            let b = p[i]
            if b < 0x20 || b == 0x7F || (b >= 0x80 && b <= 0x9F && i > 0 && p[i - 1] == 0xC2) {
                throw .invalidField(file: file, line: line, column: column,
                                    expected: "\(what) without control characters (tab, newline, CR, NUL…)",
                                    found: shown(UnsafeBufferPointer(start: p, count: n)))
            }
            if b >= 0x80 { ascii = false }
        }
        if !ascii && String(validating: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) == nil {
            throw .invalidUTF8(file: file, line: line, column: column)
        }
        return (p, n)
    }

    /// Writes `value` in decimal to `out` (at least ``scratchBytes``); returns the length.
    static func write(_ value: Int64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        repeat { digits.append(UInt8(magnitude % 10) + 0x30); magnitude /= 10 } while magnitude > 0
        var k = 0
        if value < 0 { out[0] = 0x2D; k = 1 }
        for d in digits.reversed() { out[k] = d; k += 1 }
        return k
    }

    /// The id as a run-time lookup sees it: trimmed of spaces and tabs.
    public static func trimmed(_ id: String) -> Substring {
        var s = Substring(id)
        while let f = s.utf8.first, f == 0x20 || f == 0x09 { s = s.dropFirst() }
        while let l = s.utf8.last, l == 0x20 || l == 0x09 { s = s.dropLast() }
        return s
    }

    /// The canonical text of an integer id (`01`, `+1` → `1`), or nil when `id` is not a decimal
    /// integer within Int64.
    public static func canonicalInteger(_ id: Substring) -> String? {
        var bytes = Array(id.utf8)
        let count = bytes.count
        return bytes.withUnsafeMutableBufferPointer { b -> String? in
            guard let base = b.baseAddress, count > 0, let v = FieldParsing.int64(base, count) else { return nil }
            return String(v)
        }
    }

    /// True when `id` is a decimal integer in canonical form (what integer formats store).
    static func isCanonicalInteger(_ id: String) -> Bool {
        guard let c = canonicalInteger(Substring(id)) else { return false }
        return c == id
    }

    /// A field for an error message: control characters escaped (`\t`, `\n`, `\u{0}`, `\u{85}`), at most 40 bytes.
    static func shown(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let text = excerpt(bytes)
        var out = ""
        for u in text.unicodeScalars {
            if u.value < 0x20 || (u.value >= 0x7F && u.value <= 0x9F) { out += u.escaped(asASCII: true) } else { out.unicodeScalars.append(u) }
        }
        return out
    }
}
