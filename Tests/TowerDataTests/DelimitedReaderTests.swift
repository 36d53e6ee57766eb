import Foundation
import Testing
@testable import TowerData

@Suite struct DelimitedReaderTests {
    @Test func readsQuotedFieldsWithDelimitersNewlinesAndEscapedQuotes() throws {
        let f = Fixtures(); defer { f.remove() }
        let path = f.write("log.csv", "user_id,item_id,title\n"
            + "u1,\"i,1\",\"a \"\"quoted\"\" title\"\n"
            + "\"u2\",\"i2\",\"plain\nsecond line\"\n"
            + "u1,i3,\"x\"\n")
        let (log, report) = try DelimitedReader.read(path: path)
        #expect(pairs(log) == ["u1:i,1", "u2:i2", "u1:i3"])
        #expect(report.records == 3 && report.rows == 3)
        #expect(log.userVocabulary.ids == ["u1", "u2"])
        #expect(log.userVocabulary.counts == [2, 1])
    }

    @Test func handlesCRLFAndByteOrderMarkAndMissingFinalNewline() throws {
        let f = Fixtures(); defer { f.remove() }
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("user_id,item_id,timestamp\r\n1,10,100\r\n2,20,200\r\n\r\n3,30,300".utf8)
        let path = f.write("crlf.csv", bytes: bytes)
        let (log, _) = try DelimitedReader.read(path: path, schema: Schema(timestamp: "timestamp"))
        #expect(pairs(log) == ["1:10", "2:20", "3:30"])
        #expect(log.timestamps == [100, 200, 300])
    }

    @Test func readsTSVAndCustomDelimiterWithColumnsByNameAndIndex() throws {
        let f = Fixtures(); defer { f.remove() }
        let tsv = f.write("log.tsv", "rating\titem\tuser\n4.5\ta\tx\n1e0\tb\ty\n")
        let (log, _) = try DelimitedReader.read(path: tsv, format: .tsv, schema: Schema(user: "user", item: "item", rating: "rating"))
        #expect(pairs(log) == ["x:a", "y:b"])
        #expect(log.ratings == [4.5, 1])
        let semi = f.write("log.txt", "x;;a;;7\ny;;b;;8\n")
        let (log2, _) = try DelimitedReader.read(path: semi, format: DelimitedFormat(delimiter: ";;", quoting: false, hasHeader: false),
                                                 schema: Schema(user: .index(0), item: .index(1), timestamp: .index(2)))
        #expect(pairs(log2) == ["x:a", "y:b"])
        #expect(log2.timestamps == [7, 8])
    }

    @Test func sideFeaturesTakeTheFirstValuePerItem() throws {
        let f = Fixtures(); defer { f.remove() }
        let path = f.write("log.csv", "user_id,item_id,genres,country\nu,a,Action|Comedy,fr\nv,b,,de\nv,a,Drama,it\n")
        let schema = Schema(features: [
            FeatureColumn(name: "genres", column: "genres", target: .item, kind: .multiValued(separator: UInt8(ascii: "|"))),
            FeatureColumn(name: "country", column: "country", target: .user, kind: .categorical)])
        let (log, _) = try DelimitedReader.read(path: path, schema: schema)
        let genres = try #require(log.itemFeatures.first)
        #expect(genres.vocabulary.ids == ["Action", "Comedy"])
        #expect(Array(genres.values(of: 0)) == [0, 1])
        #expect(genres.values(of: 1).isEmpty)
        let country = try #require(log.userFeatures.first)
        #expect(country.vocabulary.ids == ["fr", "de"])
        #expect(country.categoricalIds(missing: -1) == [0, 1])
    }

    @Test func readsAcrossChunkBoundaries() throws {
        // Many lines with quoted fields so records straddle the 4 MiB read chunks.
        let f = Fixtures(); defer { f.remove() }
        var text = "user_id,item_id\n"
        let n = 300_000
        for k in 0..<n { text += "\"user \(k % 977)\",\"item,\(k % 1013)\"\n" }
        let path = f.write("big.csv", text)
        let (log, _) = try DelimitedReader.read(path: path)
        #expect(log.count == n)
        #expect(log.userVocabulary.count == 977 && log.itemVocabulary.count == 1013)
        #expect(log.itemVocabulary.id(of: log.items[n - 1]) == "item,\((n - 1) % 1013)")
    }

    @Test func testFileIsMappedThroughTrainVocabulariesAndUnknownIdsCounted() throws {
        let f = Fixtures(); defer { f.remove() }
        let train = try DelimitedReader.read(path: f.write("train.csv", "user_id,item_id\na,x\nb,y\n")).log
        let (test, report) = try DelimitedReader.read(path: f.write("test.csv", "user_id,item_id\nb,x\nc,x\na,z\na,y\n"),
                                                      vocabularies: (train.userVocabulary, train.itemVocabulary))
        #expect(report.unknownUsers == 1 && report.unknownItems == 1)
        #expect(pairs(test) == ["b:x", "a:y"])
        #expect(test.userVocabulary == train.userVocabulary)
    }
}
