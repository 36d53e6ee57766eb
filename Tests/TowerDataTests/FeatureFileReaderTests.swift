import Testing
import TowerTestSupport
@testable import TowerData

@Suite struct FeatureFileReaderTests {
    /// The log's items, in row order; item "50" has no line in the files below.
    private let items = Vocabulary(name: "items", ids: ["10", "20", "30", "40", "50"])

    private func read(_ text: String, columns: String? = nil, keyKind: IdKind = .string, skipBadLines: Bool = false,
                      name: String = "items.csv") throws -> FeatureFileContents {
        let f = Fixtures("featurefile")
        defer { f.remove() }
        let path = f.write(name, text)
        return try FeatureFileReader.read(path: path, format: name.hasSuffix(".tsv") ? .tsv : .csv, key: "item",
                                          keyKind: keyKind, columns: columns.map { try FeatureFileColumn.parseList($0) },
                                          vocabulary: items, target: .item, options: ReadOptions(skipBadLines: skipBadLines))
    }

    /// The DataError `body` throws, as its message ("" when it throws none).
    private func message<T>(_ body: () throws -> T) -> String { dataError(body).map { "\($0)" } ?? "" }

    /// The text values of each row of an embedded table ("" is the reserved missing value).
    private func texts(_ t: FeatureTable) -> [[String]] {
        (0..<t.rows).map { r in t.values(of: r).map { t.vocabulary.ids[Int($0)] } }
    }

    @Test func categoricalColumnWithMissingValues() throws {
        let c = try read("item,studio\n30,pixar\n10,ghibli\n20,\n40,pixar\n", columns: "studio:categorical")
        #expect(c.columns == [FeatureFileColumn(name: "studio", kind: .categorical)])
        let t = try #require(c.tables.first)
        #expect(t.kind == .categorical)
        // Rows in vocabulary order; the empty field (20) and the item without a line (50) hold the missing value.
        #expect(texts(t) == [["ghibli"], [""], ["pixar"], ["pixar"], [""]])
        #expect(t.vocabulary.ids.last == "", "the missing value is the last id")
        #expect(t.vocabulary.counts.last == 2)
        #expect(c.records == 4 && c.matchedRows == 4 && c.rowsWithoutLine == 1)
    }

    @Test func multiValuedColumnSplitsOnTheSeparator() throws {
        let c = try read("item,genres,tags\n10,Comedy|Drama,a;b\n20,Drama,\n30,,c; a ;\n", columns: "genres:multi,tags:multi=;")
        #expect(c.columns.map(\.kind) == [.multiValued(separator: UInt8(ascii: "|")), .multiValued(separator: UInt8(ascii: ";"))])
        #expect(texts(c.tables[0]) == [["Comedy", "Drama"], ["Drama"], [""], [""], [""]])
        #expect(texts(c.tables[1]) == [["a", "b"], [""], ["c", "a"], [""], [""]], "values are trimmed, empty parts dropped")
        #expect(c.tables[1].kind == .multiValued(separator: UInt8(ascii: ";")))
    }

    @Test func numericColumnKeepsRawValuesAndMissing() throws {
        let c = try read("item,year,score\n10,1995,0.5\n20,,-2.25e1\n30,2001.5,3\n", columns: "year:numeric,score:numeric")
        #expect(c.tables.isEmpty)
        #expect(c.numeric.map(\.name) == ["year", "score"])
        #expect(c.numeric[0].values == [1995, nil, 2001.5, nil, nil])
        #expect(c.numeric[1].values == [0.5, -22.5, 3, nil, nil])
    }

    @Test func kindsAreInferredFromTheValues() throws {
        let c = try read("item,year,genres,studio,zip\n10,1995,A|B,pixar,02139\n20,2001,A,ghibli,10001\n30,,,pixar,\n")
        #expect(c.columns == [FeatureFileColumn(name: "year", kind: .numeric),
                              FeatureFileColumn(name: "genres", kind: .multiValued(separator: UInt8(ascii: "|"))),
                              FeatureFileColumn(name: "studio", kind: .categorical),
                              FeatureFileColumn(name: "zip", kind: .numeric)])
        // A numeric-looking code is embedded when its kind is given.
        let zip = try read("item,zip\n10,02139\n20,10001\n", columns: "zip:categorical")
        #expect(texts(zip.tables[0]).prefix(2) == [["02139"], ["10001"]])
    }

    @Test func tsvAndIntegerKeys() throws {
        let c = try read("item\tstudio\n010\tpixar\n+20\tghibli\n", columns: nil, keyKind: .integer, name: "items.tsv")
        #expect(texts(c.tables[0]) == [["pixar"], ["ghibli"], [""], [""], [""]], "010 is item 10 with integer ids")
        #expect(c.unknownKeys == 0)
    }

    @Test func unknownIdsAreCountedAndReported() throws {
        let c = try read("item,studio\n10,pixar\n99,ghibli\n20,pixar\n77,x\n")
        #expect(c.unknownKeys == 2)
        #expect(c.firstUnknown?.id == "99" && c.firstUnknown?.line == 3)
        #expect(c.records == 4 && c.matchedRows == 2 && c.rowsWithoutLine == 3)
        #expect(c.summary.contains("2 unknown ids ignored (first: \"99\", line 3)"), "\(c.summary)")
        #expect(c.summary.contains("3 items without a line get the missing value"), "\(c.summary)")
    }

    @Test func aBadNumberNamesFileLineAndColumn() {
        let e = message { try read("item,year\n10,1995\n20,soon\n", columns: "year:numeric") }
        #expect(e.hasSuffix("/items.csv:3: column \"year\": expected a number (the column is numeric; an empty field is a missing value), found \"soon\""), "\(e)")
    }

    @Test func anUnknownColumnListsTheHeader() {
        let e = message { try read("item,year\n10,1995\n", columns: "year,genre") }
        #expect(e.hasSuffix("/items.csv:1: expected a column \"genre\", found the columns \"item\", \"year\""), "\(e)")
        let key = message { try read("id,year\n10,1995\n") }
        #expect(key.hasSuffix("/items.csv:1: expected a column \"item\", found the columns \"id\", \"year\""), "\(key)")
    }

    @Test func aRepeatedIdIsAnErrorNamingBothLines() throws {
        let e = message { try read("item,studio\n10,pixar\n20,x\n10,ghibli\n") }
        #expect(e.hasSuffix("/items.csv:4: column \"item\": expected one line per id (this id is on line 2 already), found \"10\""), "\(e)")
        // With --skip-bad-lines the repeat is skipped and counted; the first line wins.
        let c = try read("item,studio\n10,pixar\n20,x\n10,ghibli\n", skipBadLines: true)
        #expect(c.skippedLines == 1)
        #expect(texts(c.tables[0])[0] == ["pixar"])
    }

    @Test func aShortRowNamesItsLine() {
        let e = message { try read("item,a,b\n10,1,2\n20,1\n") }
        #expect(e.hasSuffix("/items.csv:3: expected at least 3 fields, found 2"), "\(e)")
    }

    @Test func aColumnWithoutValuesOrTheKeyAsAFeatureIsRefused() {
        let empty = dataError { try read("item,a,b\n10,,1\n20,,2\n") }
        #expect(empty.map { "\($0)" }?.contains("column \"a\" has no values") == true)
        let key = dataError { try read("item,a\n10,1\n", columns: "item") }
        #expect(key.map { "\($0)" }?.contains("\"item\" is the key column") == true)
    }

    @Test func columnListParsing() throws {
        #expect(try FeatureFileColumn.parseList("a, b:numeric ,c:multi,d:cat,e:multi=;") == [
            FeatureFileColumn(name: "a"), FeatureFileColumn(name: "b", kind: .numeric),
            FeatureFileColumn(name: "c", kind: .multiValued(separator: UInt8(ascii: "|"))),
            FeatureFileColumn(name: "d", kind: .categorical),
            FeatureFileColumn(name: "e", kind: .multiValued(separator: UInt8(ascii: ";")))])
        for bad in ["a,,b", "a:number", "a,a", "a:multi=,", "a:multi=ab"] {
            #expect(throws: DataError.self, "\(bad)") { try FeatureFileColumn.parseList(bad) }
        }
        #expect((try? FeatureFileColumn.parseList("a:number")) == nil)
        do { _ = try FeatureFileColumn.parseList("year:number") } catch {
            #expect("\(error)".contains("expected categorical, multi"))
        }
    }
}
