import Foundation

/// Movie titles of a MovieLens dataset, for printing beside item ids (`twotower recommend`).
///
/// Read from the file beside the ratings: `movies.csv` (ml-latest, ML-20M/25M: header
/// `movieId,title,genres`, RFC 4180 quoting), `movies.dat` (ML-1M/10M: `id::title::genres`) or
/// `u.item` (ML-100K: `id|title|...`). The ML-1M and ML-100K files are Latin-1; a file that is not
/// valid UTF-8 is decoded as Latin-1.
public enum MovieLensTitles {
    /// The titles file for the ratings file or MovieLens directory `path`, if there is one.
    public static func file(for path: String) -> String? {
        guard let (_, ratings) = try? MovieLensReader.detect(path: path) else { return nil }
        let directory = (ratings as NSString).deletingLastPathComponent
        for name in ["movies.csv", "movies.dat", "u.item"] {
            let p = (directory as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return nil
    }

    /// Item id (as the ratings spell it) → title. Lines that do not parse are skipped (titles are
    /// a display aid, never a reason to stop).
    /// - Throws: ``DataError/io(file:message:)`` when the file cannot be read.
    public static func read(_ file: String) throws(DataError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw DataError.io(file: file, message: "cannot read the titles file")
        }
        let decoded = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) ?? ""
        var titles: [String: String] = [:]
        let name = (file as NSString).lastPathComponent
        var first = true
        for line in decoded.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            defer { first = false }
            let fields: [String]
            switch name {
            case "movies.csv":
                if first { continue }  // header
                fields = csvFields(line)
            case "movies.dat": fields = line.components(separatedBy: "::")
            default: fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            }
            guard fields.count >= 2 else { continue }
            let id = fields[0].trimmingCharacters(in: .whitespaces)
            if !id.isEmpty { titles[id] = fields[1] }
        }
        return titles
    }

    /// The fields of one CSV line: commas outside double quotes separate, `""` inside quotes is `"`.
    static func csvFields(_ line: Substring) -> [String] {
        var fields: [String] = [], field = "", quoted = false
        var iterator = line.makeIterator()
        while let c = iterator.next() {
            if quoted {
                if c == "\"" {
                    // A doubled quote is a literal quote; a single one ends the quoted part.
                    var lookahead = iterator
                    if lookahead.next() == "\"" { field.append("\""); iterator = lookahead } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { fields.append(field); field = "" }
            else { field.append(c) }
        }
        fields.append(field)
        return fields
    }
}
