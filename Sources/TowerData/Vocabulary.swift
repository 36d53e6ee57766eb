import Foundation
import Synchronization

/// A vocabulary: raw ids (strings; integers are kept as their decimal text) ↔ dense rows
/// `0..<count`, with the number of interactions seen per row.
///
/// Rows are in order of first appearance unless ``orderedByFrequency()`` was applied (decreasing
/// count, ties by earlier row: the order NVTabular's `Categorify` gives and the log-uniform
/// sampler assumes). Unknown ids are an error (``row(for:)``) or, with ``row(for:default:)``,
/// the documented fallback the caller chooses.
public struct Vocabulary: Sendable, Equatable {
    /// What the vocabulary names ("user", "item", "genres"…), used in error messages.
    public var name: String
    /// Raw id of each row, `[count]`.
    public private(set) var ids: [String]
    /// Interactions (or occurrences) per row, `[count]`.
    public var counts: [Int]
    private let index: LookupCache

    /// A vocabulary with the given ids (unique) and counts (zeros when omitted).
    public init(name: String, ids: [String], counts: [Int]? = nil) {
        precondition(counts == nil || counts!.count == ids.count,
                     "Vocabulary: \(counts!.count) counts for \(ids.count) ids")
        self.name = name
        self.ids = ids
        self.counts = counts ?? [Int](repeating: 0, count: ids.count)
        self.index = LookupCache()
    }

    /// Number of rows.
    public var count: Int { ids.count }

    public static func == (a: Vocabulary, b: Vocabulary) -> Bool {
        // Ids compare as bytes (``IdRule``): NFC `é` and NFD `e`+U+0301 are two ids.
        a.name == b.name && a.counts == b.counts && a.ids.elementsEqual(b.ids) { $0.utf8.elementsEqual($1.utf8) }
    }

    /// The row of `id` under ``IdRule``: spaces and tabs around it are ignored, and in a
    /// vocabulary of canonical integers (MovieLens, LightGCN) `01` and `+1` find `1`.
    /// - Throws: ``DataError/unknownId(vocabulary:id:)`` when it is not known (an empty id or one
    ///   with a control character never is).
    public func row(for id: String) throws(DataError) -> Int32 {
        guard let r = lookup(id) else { throw .unknownId(vocabulary: name, id: id) }
        return r
    }

    /// The row of `id` (as ``row(for:)`` finds it), or `fallback` when it is not known (e.g. a
    /// shared "unknown" row).
    public func row(for id: String, default fallback: Int32) -> Int32 {
        lookup(id) ?? fallback
    }

    /// True when ``row(for:)`` finds `id`.
    public func contains(_ id: String) -> Bool { lookup(id) != nil }

    /// Exact id first (the common case, no copy); then the ``IdRule`` forms.
    private func lookup(_ id: String) -> Int32? {
        if let r = index.lookup(id, ids: ids) { return r }
        let t = IdRule.trimmed(id)
        if t.isEmpty || IdRule.containsControl(t.utf8) { return nil }
        if t.utf8.count != id.utf8.count, let r = index.lookup(String(t), ids: ids) { return r }
        if index.allCanonicalIntegers(ids: ids), let c = IdRule.canonicalInteger(t) { return index.lookup(c, ids: ids) }
        return nil
    }

    /// The raw id of `row`.
    public func id(of row: Int32) -> String {
        precondition(row >= 0 && Int(row) < ids.count, "Vocabulary \(name): row \(row) out of 0..<\(ids.count)")
        return ids[Int(row)]
    }

    /// The permutation that orders rows by decreasing count (stable): `order[newRow] = oldRow`.
    public func frequencyOrder() -> [Int32] {
        let c = counts
        return (0..<Int32(ids.count)).sorted { c[Int($0)] != c[Int($1)] ? c[Int($0)] > c[Int($1)] : $0 < $1 }
    }

    /// A vocabulary keeping the rows of `order` (`order[newRow] = oldRow`), e.g. a permutation or a subset.
    public func reordered(_ order: [Int32]) -> Vocabulary {
        Vocabulary(name: name, ids: order.map { ids[Int($0)] }, counts: order.map { counts[Int($0)] })
    }

    // MARK: Save and load

    /// Writes the vocabulary as text (see ``encoded()``), atomically.
    public func save(to path: String) throws(DataError) {
        try FileIO.writeAtomically(try encoded(), to: path)
    }

    /// The vocabulary as text: a first line `# twotower vocabulary <name> <count>`, then one
    /// line per row `id<TAB>count`. Ids may not contain control characters (``IdRule``).
    public func encoded() throws(DataError) -> [UInt8] {
        var text = "# twotower vocabulary \(name) \(ids.count)\n"
        text.reserveCapacity(ids.count * 12)
        for (i, id) in ids.enumerated() {
            if IdRule.containsControl(id.utf8) {
                throw .invalidRequest("vocabulary \(name): id \(id.debugDescription) contains a control character (tab, newline, CR, NUL…) and cannot be saved")
            }
            text += id; text += "\t"; text += String(counts[i]); text += "\n"
        }
        return Array(text.utf8)
    }

    /// Reads a vocabulary written by ``save(to:)``.
    public static func load(from path: String) throws(DataError) -> Vocabulary {
        try decode(try FileIO.readAll(path), file: FileIO.displayName(path))
    }

    /// Parses the text of ``encoded()``; errors name `file` and the line. One pass over the bytes:
    /// each id is validated as UTF-8 and entered in the lookup table as it is read (a repeated id
    /// is an error naming both lines), so the first lookup after loading costs nothing more.
    public static func decode(_ bytes: [UInt8], file: String) throws(DataError) -> Vocabulary {
        let newline = UInt8(ascii: "\n"), tab = UInt8(ascii: "\t")
        let headEnd = bytes.firstIndex(of: newline) ?? bytes.count
        guard headEnd > 0 || !bytes.isEmpty else { throw .emptyFile(file: file) }
        guard let first = String(validating: bytes[0..<headEnd], as: UTF8.self) else {
            throw .invalidUTF8(file: file, line: 1, column: "header")
        }
        let head = first.split(separator: " ")
        guard head.count == 5, head[0] == "#", head[1] == "twotower", head[2] == "vocabulary",
              let expected = Int(head[4]), expected >= 0 else {
            throw .unrecognizedFormat(file: file, detail: "expected a first line \"# twotower vocabulary <name> <count>\", found \"\(first.prefix(60))\"")
        }
        // At most one row per remaining line: a wrong count cannot make us reserve absurd memory.
        let capacity = min(expected, bytes.count - headEnd)
        var ids: [String] = [], counts: [Int] = []
        var table = [IdBytes: Int32](minimumCapacity: capacity)
        ids.reserveCapacity(capacity); counts.reserveCapacity(capacity)
        var failure: DataError?
        let validUTF8 = String(validating: bytes, as: UTF8.self) != nil
        bytes.withUnsafeBufferPointer { all in
            var start = headEnd + 1, line = 2
            while start < all.count {
                var end = start
                while end < all.count && all[end] != newline { end += 1 }
                var cut = start
                while cut < end && all[cut] != tab { cut += 1 }
                guard cut < end else {
                    failure = .missingFields(file: file, line: line, expected: 2, found: 1)
                    return
                }
                let idBytes = UnsafeBufferPointer(rebasing: all[start ..< cut])
                // The whole text was validated at once below; only on failure is each line checked.
                if !validUTF8, String(validating: idBytes, as: UTF8.self) == nil {
                    failure = .invalidUTF8(file: file, line: line, column: "id")
                    return
                }
                if IdRule.containsControl(idBytes) {
                    failure = .invalidField(file: file, line: line, column: "id", expected: "an id without control characters (tab, newline, CR, NUL…)",
                                            found: IdRule.shown(idBytes))
                    return
                }
                let id = String(decoding: idBytes, as: UTF8.self)
                var count = 0, digits = 0, valid = cut + 1 < end
                for k in (cut + 1) ..< end {
                    let digit = Int(all[k]) - 48
                    guard digit >= 0 && digit <= 9 else { valid = false; break }
                    let (times10, o1) = count.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(digit)
                    guard !o1 && !o2 else { valid = false; break }
                    count = sum
                    digits += 1
                }
                guard valid && digits > 0 else {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: all[(cut + 1) ..< end]), as: UTF8.self)
                    failure = text.contains("\t")
                        ? .missingFields(file: file, line: line, expected: 2, found: text.split(separator: "\t", omittingEmptySubsequences: false).count + 1)
                        : .invalidField(file: file, line: line, column: "count", expected: "a non-negative integer", found: text)
                    return
                }
                if let earlier = table.updateValue(Int32(truncatingIfNeeded: ids.count), forKey: IdBytes(id)) {
                    failure = .unrecognizedFormat(file: file, detail: "line \(line) repeats the id \(id.debugDescription) of line \(Int(earlier) + 2)")
                    return
                }
                ids.append(id)
                counts.append(count)
                start = end + 1
                line += 1
            }
        }
        if let failure { throw failure }
        guard ids.count == expected else {
            throw .unrecognizedFormat(file: file, detail: "expected \(expected) ids (from the first line), found \(ids.count)")
        }
        return Vocabulary(name: String(head[3]), ids: ids, counts: counts, lookup: table)
    }

    /// A vocabulary whose lookup table is already built (by ``decode(_:file:)``).
    private init(name: String, ids: [String], counts: [Int], lookup: [IdBytes: Int32]) {
        self.name = name
        self.ids = ids
        self.counts = counts
        self.index = LookupCache(table: lookup)
    }
}

/// An id as a dictionary key compared and hashed by its UTF-8 bytes (``IdRule``: ids are bytes),
/// not by Swift's `String` equality, which is canonical equivalence (NFC `é` == NFD `e`+U+0301)
/// and would merge ids the readers' byte table keeps apart.
struct IdBytes: Hashable, Sendable {
    let text: String
    init(_ text: String) { self.text = text }

    static func == (a: IdBytes, b: IdBytes) -> Bool { a.text.utf8.elementsEqual(b.text.utf8) }

    func hash(into hasher: inout Hasher) {
        var copy = text
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// The id → row dictionary of a vocabulary (keyed by bytes), built on first lookup (reading never needs it).
final class LookupCache: Sendable {
    private let table: Mutex<[IdBytes: Int32]?>

    /// An empty cache, built on first lookup; or one holding `table` already.
    init(table: [IdBytes: Int32]? = nil) { self.table = Mutex(table) }

    func lookup(_ id: String, ids: [String]) -> Int32? {
        table.withLock { table in
            if table == nil {
                var d = [IdBytes: Int32](minimumCapacity: ids.count)
                for (i, s) in ids.enumerated() { d[IdBytes(s)] = Int32(i) }
                table = d
            }
            return table![IdBytes(id)]
        }
    }

    private let integers = Mutex<Bool?>(nil)

    /// True when every id is an integer in canonical form (computed once).
    func allCanonicalIntegers(ids: [String]) -> Bool {
        integers.withLock { flag in
            if let flag { return flag }
            let value = ids.allSatisfy(IdRule.isCanonicalInteger)
            flag = value
            return value
        }
    }
}
