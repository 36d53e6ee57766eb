import Foundation
import Testing
@testable import TowerData

@Suite struct ReaderErrorTests {
    let schema = Schema(user: "userId", item: "movieId", userIdKind: .integer, itemIdKind: .integer)

    @Test func nonIntegerIdNamesFileLineColumnAndValue() throws {
        let f = Fixtures(); defer { f.remove() }
        var text = "userId,movieId\n"
        for k in 0..<15 { text += "\(k),\(k)\n" }
        text += "16,abc\n"
        let path = f.write("ratings.csv", text)
        let e = dataError { try DelimitedReader.read(path: path, schema: schema) }
        #expect(e == .invalidField(file: f.path("ratings.csv"), line: 17, column: "movieId", expected: "an integer", found: "abc"))
        #expect(e?.description == f.path("ratings.csv") + ":17: column \"movieId\": expected an integer, found \"abc\"")
    }

    @Test func emptyFileAndHeaderOnly() {
        let f = Fixtures(); defer { f.remove() }
        #expect(dataError { try DelimitedReader.read(path: f.write("e.csv", "")) } == .emptyFile(file: f.path("e.csv")))
        #expect(dataError { try DelimitedReader.read(path: f.write("b.csv", bytes: [0xEF, 0xBB, 0xBF, 0x0A])) } == .emptyFile(file: f.path("b.csv")))
        #expect(dataError { try DelimitedReader.read(path: f.write("h.csv", "user_id,item_id\n")) } == .noData(file: f.path("h.csv")))
        #expect(dataError { try LightGCNReader.read(path: f.write("t.txt", "\n\n")) } == .emptyFile(file: f.path("t.txt")))
    }

    @Test func missingAndDuplicateColumns() {
        let f = Fixtures(); defer { f.remove() }
        let e = dataError { try DelimitedReader.read(path: f.write("m.csv", "user,item_id\n1,2\n")) }
        #expect(e == .missingColumn(file: f.path("m.csv"), column: "user_id", header: ["user", "item_id"]))
        #expect(e?.description.contains("expected a column \"user_id\"") == true)
        #expect(dataError { try DelimitedReader.read(path: f.write("d.csv", "user_id,item_id,user_id\n1,2,3\n")) }
                == .duplicateColumn(file: f.path("d.csv"), column: "user_id"))
    }

    @Test func wrongDelimiterInHeaderAndInData() {
        let f = Fixtures(); defer { f.remove() }
        #expect(dataError { try DelimitedReader.read(path: f.write("w.csv", "user_id\titem_id\n1\t2\n")) }
                == .wrongDelimiter(file: f.path("w.csv"), line: 1, expected: "commas", found: "tabs"))
        #expect(dataError { try MovieLensReader.read(path: f.write("u.data", "1,2,3,4\n")) }
                == .wrongDelimiter(file: f.path("u.data"), line: 1, expected: "tabs", found: "commas"))
    }

    @Test func shortLineAndTruncatedLastLine() {
        let f = Fixtures(); defer { f.remove() }
        let s = Schema(timestamp: "t")
        #expect(dataError { try DelimitedReader.read(path: f.write("s.csv", "user_id,item_id,t\n1,2,3\n4,5\n6,7,8\n"), schema: s) }
                == .missingFields(file: f.path("s.csv"), line: 3, expected: 3, found: 2))
        let e = dataError { try DelimitedReader.read(path: f.write("t.csv", "user_id,item_id,t\n1,2,3\n4,5"), schema: s) }
        #expect(e == .truncatedLastLine(file: f.path("t.csv"), line: 3, detail: "expected at least 3 fields, found 2"))
        let q = dataError { try DelimitedReader.read(path: f.write("q.csv", "user_id,item_id\n1,\"2\n3,4\n")) }
        #expect(q == .truncatedLastLine(file: f.path("q.csv"), line: 2, detail: "a quoted field in item_id is never closed"))
        let m = dataError { try DelimitedReader.read(path: f.write("mq.csv", "user_id,item_id\n1,\"2\"x\n")) }
        #expect(m.map { "\($0)".hasPrefix(f.path("mq.csv") + ":2: column \"item_id\": expected a delimiter") } == true)
    }

    @Test func invalidUTF8AndHugeLine() {
        let f = Fixtures(); defer { f.remove() }
        let bad = f.write("u.csv", bytes: Array("user_id,item_id\nok,1\n".utf8) + [0xC3, 0x28] + Array(",2\n".utf8))
        #expect(dataError { try DelimitedReader.read(path: bad) } == .invalidUTF8(file: f.path("u.csv"), line: 3, column: "user_id"))
        let long = f.write("l.csv", "user_id,item_id\n1,2\n" + String(repeating: "9", count: 5000) + ",3\n")
        #expect(dataError { try DelimitedReader.read(path: long, options: ReadOptions(maxLineBytes: 1000)) }
                == .lineTooLong(file: f.path("l.csv"), line: 3, limit: 1000))
        // Longer than the 4 MiB read chunk with the default 1 MiB limit: an error, no hang.
        let huge = f.write("h.csv", "user_id,item_id\n" + String(repeating: "x", count: 5 << 20) + "\n")
        #expect(dataError { try DelimitedReader.read(path: huge) } == .lineTooLong(file: f.path("h.csv"), line: 2, limit: 1 << 20))
    }

    @Test func skipBadLinesCountsAndReports() throws {
        let f = Fixtures(); defer { f.remove() }
        let path = f.write("r.csv", "userId,movieId,rating\n1,2,4\n1,x,3\n2\n3,4,oops\n5,6,1\n")
        let (log, report) = try DelimitedReader.read(path: path, schema: Schema(user: "userId", item: "movieId", rating: "rating", itemIdKind: .integer),
                                                     options: ReadOptions(skipBadLines: true))
        #expect(pairs(log) == ["1:2", "5:6"])
        #expect(report.skippedLines == 3)
        #expect(report.skippedErrors.first == .invalidField(file: f.path("r.csv"), line: 3, column: "movieId", expected: "an integer", found: "x"))
        #expect(report.description.contains("3 bad lines skipped"))
    }

    @Test func missingFileAndUnknownIds() throws {
        #expect(dataError { try DelimitedReader.read(path: "/nonexistent/x.csv") }.map { if case .io = $0 { true } else { false } } == true)
        let v = Vocabulary(name: "item", ids: ["a", "b"])
        #expect(dataError { try v.row(for: "zz") } == .unknownId(vocabulary: "item", id: "zz"))
        #expect(DataError.unknownId(vocabulary: "item", id: "zz").description == "unknown item id \"zz\" (not in the vocabulary)")
        #expect(v.row(for: "zz", default: -1) == -1)
        #expect(try v.row(for: "b") == 1)
    }
}

/// Issue 11: a data error names the file as the user gave it, so two `ratings.csv` in different
/// directories are told apart; a plain name stays short.
@Suite struct ErrorPathTests {
    @Test func errorsShowThePathAsGiven() {
        let f = Fixtures(); defer { f.remove() }
        try? FileManager.default.createDirectory(atPath: f.path("a"), withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(atPath: f.path("b"), withIntermediateDirectories: true)
        let a = f.write("a/ratings.csv", "userId,movieId,rating,timestamp\n1,2,4,100\n1,x,3,101\n")
        let b = f.write("b/ratings.csv", "userId,movieId,rating,timestamp\n1,2,4,100\n1,y,3,101\n")
        let ea = dataError { try MovieLensReader.read(path: a) }.map { "\($0)" } ?? ""
        let eb = dataError { try MovieLensReader.read(path: b) }.map { "\($0)" } ?? ""
        #expect(ea.hasPrefix(a + ":3:"), "\(ea)")
        #expect(eb.hasPrefix(b + ":3:"), "\(eb)")
        #expect(FileIO.displayName("ratings.csv") == "ratings.csv")
        #expect(FileIO.displayName("a/ratings.csv") == "a/ratings.csv")
        #expect(FileIO.displayName("./a/ratings.csv") == "a/ratings.csv")
        #expect(FileIO.fileName("/x/a/ratings.csv") == "ratings.csv")
    }
}
