import Foundation
import Testing
@testable import TowerData

/// `\n`, `\r\n` and classic Mac OS `\r` line ends read the same; a CR-only file is no longer read
/// as a single line (which was reported as a duplicate header column).
@Suite struct LineEndingTests {
    static let lines = ["user_id,item_id,timestamp,rating", "1,10,100,4.0", "2,\"a,b\",200,4.0", "", "1,30,300,3.5"]

    @Test(arguments: ["\n", "\r\n", "\r"])
    func everyLineEndReadsTheSameLog(_ end: String) throws {
        let f = Fixtures(); defer { f.remove() }
        let path = f.write("log.csv", Self.lines.joined(separator: end) + end)
        let (log, report) = try DelimitedReader.read(path: path, schema: Schema(timestamp: "timestamp", rating: "rating"))
        #expect(pairs(log) == ["1:10", "2:a,b", "1:30"])
        #expect(log.timestamps == [100, 200, 300] && log.ratings == [4, 4, 3.5])
        #expect(report.records == 3)
        // Without a final line end too.
        let open = f.write("open.csv", Self.lines.joined(separator: end))
        #expect(pairs(try DelimitedReader.read(path: open).log) == ["1:10", "2:a,b", "1:30"])
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func errorsNameTheRightLine(_ end: String) throws {
        let f = Fixtures(); defer { f.remove() }
        // The quoted field spanning two lines is a note, not an id (ids never hold line ends: IdRule).
        let path = f.write("bad.csv", ["user_id,item_id,timestamp,note", "1,10,100,a", "2,20,200,\"multi\(end)line\"", "3,30,later,b"].joined(separator: end) + end)
        let error = try #require(dataError { try DelimitedReader.read(path: path, schema: Schema(timestamp: "timestamp")) })
        #expect(error == .invalidField(file: f.path("bad.csv"), line: 5, column: "timestamp", expected: "an integer timestamp", found: "later"))
    }

    @Test func crOnlyFilesAcrossReadChunks() throws {
        let f = Fixtures(); defer { f.remove() }
        let n = 300_000
        var text = "user_id,item_id\r"
        for k in 0..<n { text += "u\(k % 977),i\(k % 1013)\r" }
        let (log, _) = try DelimitedReader.read(path: f.write("big.csv", text))
        #expect(log.count == n && log.userVocabulary.count == 977 && log.itemVocabulary.count == 1013)
        #expect(log.itemVocabulary.id(of: log.items[n - 1]) == "i\((n - 1) % 1013)")
    }

    @Test func lightGCNAndMovieLensFilesWithCROnlyLineEnds() throws {
        let f = Fixtures(); defer { f.remove() }
        let (gcn, _) = try LightGCNReader.read(path: f.write("train.txt", "0 1 2\r1 2\r"))
        #expect(pairs(gcn) == ["0:1", "0:2", "1:2"])
        // An ML-100K file under another name is recognised by its first line.
        let path = f.write("ratings-100k.data", "1\t10\t5\t881250949\r2\t20\t3\t891717742\r")
        #expect(try MovieLensReader.detect(path: path).variant == .ml100k)
        let (ml, _) = try MovieLensReader.read(path: path, sideFeatures: false)
        #expect(pairs(ml) == ["1:10", "2:20"] && ml.timestamps == [881250949, 891717742])
    }

    @Test func aLoneCRInsideAnLFFileStaysInItsField() throws {
        let f = Fixtures(); defer { f.remove() }
        let path = f.write("mixed.csv", "user_id,item_id\na\rb,x\nc,y\n")
        // The CR stays in the field, so the id holds a control character and the line is refused (IdRule).
        #expect(dataError { try DelimitedReader.read(path: path) }
                == .invalidField(file: f.path("mixed.csv"), line: 2, column: "user_id",
                                 expected: "a user id without control characters (tab, newline, CR, NUL…)", found: "a\\rb"))
    }
}
