import Foundation
import Testing
@testable import TowerData

/// The id rule (``IdRule``) in every reader and in run-time lookups: trimmed, never empty, no
/// control characters, canonical integers for integer formats, exact text for generic CSV.
@Suite struct IdRuleTests {
    let integerSchema = Schema(user: "userId", item: "movieId", userIdKind: .integer, itemIdKind: .integer)

    // MARK: Integer formats: 1, 01, +1 are one id

    @Test func movieLensCSVCanonicalisesIntegerIds() throws {
        let f = Fixtures(); defer { f.remove() }
        let path = f.write("ratings.csv", "userId,movieId,rating,timestamp\n1,10,4,100\n01,010,4,101\n+1,+10,4,102\n 1 ,7,4,103\n-0,7,1,104\n")
        let (log, _) = try MovieLensReader.read(path: path)
        #expect(log.userVocabulary.ids == ["1", "0"])
        #expect(log.itemVocabulary.ids == ["10", "7"])
        #expect(log.userVocabulary.counts == [4, 1])
    }

    @Test func uDataAndRatingsDatCanonicalise() throws {
        let f = Fixtures(); defer { f.remove() }
        let u = try MovieLensReader.read(path: f.write("u.data", "1\t5\t3\t100\n01\t05\t3\t101\n+1\t6\t3\t102\n")).log
        #expect(u.userVocabulary.ids == ["1"])
        #expect(u.itemVocabulary.ids == ["5", "6"])
        let d = try MovieLensReader.read(path: f.write("ratings.dat", "1::5::3::100\n001::5::3::101\n")).log
        #expect(d.userVocabulary.ids == ["1"])
        #expect(d.itemVocabulary.ids == ["5"])
    }

    @Test func lightGCNCanonicalises() throws {
        let f = Fixtures(); defer { f.remove() }
        let log = try LightGCNReader.read(path: f.write("train.txt", "1 2 3\n01 02\n+1 003\n")).log
        #expect(log.userVocabulary.ids == ["1"])
        #expect(log.itemVocabulary.ids == ["2", "3"])
        #expect(log.count == 4)
    }

    @Test func testFileIdsMapThroughCanonicalForm() throws {
        let f = Fixtures(); defer { f.remove() }
        let train = try LightGCNReader.read(path: f.write("train.txt", "1 2 3\n4 2\n")).log
        let (test, report) = try LightGCNReader.read(path: f.write("test.txt", "01 +3\n004 02\n"),
                                                     vocabularies: (train.userVocabulary, train.itemVocabulary))
        #expect(report.unknownUsers == 0 && report.unknownItems == 0)
        #expect(pairs(test) == ["1:3", "4:2"])
    }

    @Test func sideFeatureKeysCanonicalise() throws {
        let f = Fixtures(); defer { f.remove() }
        f.write("movies.csv", "movieId,title,genres\n010,A,Drama|Comedy\n")
        let log = try MovieLensReader.read(path: f.write("ratings.csv", "userId,movieId,rating,timestamp\n1,10,4,100\n")).log
        let genres = try #require(log.itemFeatures.first)
        #expect(genres.values(of: 0).count == 2)
    }

    // MARK: Generic CSV: strings, trimmed

    @Test func genericCSVTrimsButKeepsLeadingZeros() throws {
        let f = Fixtures(); defer { f.remove() }
        let log = try DelimitedReader.read(path: f.write("g.csv", "user_id,item_id\n1,a\n 1 ,a\n01,a\n\"1\t\",a\n")).log
        #expect(log.userVocabulary.ids == ["1", "01"])
        #expect(log.userVocabulary.counts == [3, 1])
    }

    // MARK: Empty after trimming: a bad line, named, skippable

    @Test func spacesOnlyIdIsABadLineInEveryReader() throws {
        let f = Fixtures(); defer { f.remove() }
        let csv = f.write("s.csv", "user_id,item_id\n1,a\n   ,b\n2,c\n")
        #expect(dataError { try DelimitedReader.read(path: csv) }
                == .invalidField(file: f.path("s.csv"), line: 3, column: "user_id",
                                 expected: "a user id (the id is empty after trimming spaces)", found: "   "))
        let (log, report) = try DelimitedReader.read(path: csv, options: ReadOptions(skipBadLines: true))
        #expect(report.skippedLines == 1)
        #expect(log.userVocabulary.ids == ["1", "2"])
        let empty = f.write("e.csv", "user_id,item_id\n1,\n")
        #expect(dataError { try DelimitedReader.read(path: empty) }
                == .invalidField(file: f.path("e.csv"), line: 2, column: "item_id",
                                 expected: "an item id (the id is empty after trimming spaces)", found: ""))
        let u = f.write("u.data", "1\t5\t3\t100\n  \t5\t3\t101\n")
        if case .invalidField(file: f.path("u.data"), line: 2, column: "column 1", _, _)? = dataError({ try MovieLensReader.read(path: u) }) {} else {
            Issue.record("u.data: spaces-only user not refused at line 2")
        }
        let ml = f.write("ratings.csv", "userId,movieId,rating,timestamp\n1,5,3,100\n1, ,3,101\n")
        if case .invalidField(file: f.path("ratings.csv"), line: 3, column: "movieId", _, _)? = dataError({ try MovieLensReader.read(path: ml) }) {} else {
            Issue.record("ratings.csv: spaces-only item not refused at line 3")
        }
        let g = f.write("train.txt", "1 2\n\t 3\n")
        if case .invalidField(file: f.path("train.txt"), line: 2, column: "user", _, _)? = dataError({ try LightGCNReader.read(path: g) }) {} else {
            Issue.record("train.txt: tab-only user not refused at line 2")
        }
    }

    // MARK: Control characters: refused at read time, named, skippable

    @Test func controlCharactersInIdsAreRefusedAtReadTime() throws {
        let f = Fixtures(); defer { f.remove() }
        let cases: [(String, String)] = [("tab", "\"a\tb\""), ("newline", "\"a\nb\""), ("cr", "\"a\rb\""), ("nul", "a\u{0}b"), ("del", "a\u{7F}b")]
        for (name, field) in cases {
            let path = f.write("\(name).csv", "user_id,item_id\nu,i\n\(field),i\n")
            let e = dataError { try DelimitedReader.read(path: path) }
            guard case .invalidField(let file, let line, let column, let expected, let found)? = e else {
                Issue.record("\(name): expected invalidField, got \(String(describing: e))"); continue
            }
            #expect(file == f.path("\(name).csv") && line == 3 && column == "user_id", "\(name)")
            #expect(expected.contains("control characters"), "\(name)")
            #expect(!found.unicodeScalars.contains { $0.value < 0x20 }, "\(name): the message shows the byte escaped: \(found)")
            let (log, report) = try DelimitedReader.read(path: path, options: ReadOptions(skipBadLines: true))
            #expect(report.skippedLines == 1 && log.userVocabulary.ids == ["u"], "\(name)")
        }
        // Integer formats: a control byte makes the id no integer.
        let u = f.write("u.data", bytes: Array("1\t5\t3\t100\n1\u{0}\t5\t3\t101\n".utf8))
        #expect(dataError { try MovieLensReader.read(path: u) }
                == .invalidField(file: f.path("u.data"), line: 2, column: "column 1", expected: "an integer", found: "1\\0"))
        let g = f.write("train.txt", bytes: Array("1 2\n3 4\u{1}\n".utf8))
        #expect(dataError { try LightGCNReader.read(path: g) }
                == .invalidField(file: f.path("train.txt"), line: 2, column: "item 1", expected: "an integer", found: "4\\u{01}"))
        // A side file's key.
        f.write("movies.csv", "movieId,title,genres\nx,A,Drama\n")
        let ml = f.write("ratings.csv", "userId,movieId,rating,timestamp\n1,10,4,100\n")
        #expect(dataError { try MovieLensReader.read(path: ml) }
                == .invalidField(file: f.path("movies.csv"), line: 2, column: "movieId", expected: "an integer", found: "x"))
        #expect(throws: Never.self) { try MovieLensReader.read(path: ml, options: ReadOptions(skipBadLines: true)) }
    }

    // MARK: Vocabulary: files and run-time lookups

    @Test func vocabularyFilesRefuseControlCharacters() {
        let v = Vocabulary(name: "user", ids: ["a", "b\u{0}"])
        #expect(throws: DataError.self) { try v.encoded() }
        let bytes = Array("# twotower vocabulary user 2\na\t1\nb\u{1}\t2\n".utf8)
        #expect(throws: DataError.invalidField(file: "v.txt", line: 3, column: "id",
                                               expected: "an id without control characters (tab, newline, CR, NUL…)", found: "b\\u{01}")) {
            try Vocabulary.decode(bytes, file: "v.txt")
        }
    }

    @Test func runTimeLookupsFollowTheRule() throws {
        let integers = Vocabulary(name: "user", ids: ["1", "42", "-3"])
        #expect(try integers.row(for: "01") == 0)
        #expect(try integers.row(for: "+42") == 1)
        #expect(try integers.row(for: " 42\t") == 1)
        #expect(try integers.row(for: "-03") == 2)
        #expect(!integers.contains("   "))
        #expect(!integers.contains("4\n2"))
        #expect(throws: DataError.unknownId(vocabulary: "user", id: "7")) { try integers.row(for: "7") }
        let strings = Vocabulary(name: "item", ids: ["01", "1", "a b"])
        #expect(try strings.row(for: "01") == 0)
        #expect(try strings.row(for: " 1 ") == 1)
        #expect(try strings.row(for: "a b ") == 2)
        #expect(strings.row(for: "+1", default: -1) == -1, "text ids are not canonicalised")
        #expect(!strings.contains("a\tb"))
    }

    @Test func canonicalIntegerText() {
        #expect(IdRule.canonicalInteger("007") == "7")
        #expect(IdRule.canonicalInteger("-0") == "0")
        #expect(IdRule.canonicalInteger("-9223372036854775808") == "-9223372036854775808")
        #expect(IdRule.canonicalInteger("9223372036854775808") == nil)
        #expect(IdRule.canonicalInteger("1e3") == nil)
        #expect(IdRule.canonicalInteger("") == nil)
    }
}
