import Testing
@testable import TowerData

/// A generic CSV record with more fields than its header is a bad line naming file and line.
@Suite struct ReaderHardeningTests {
    @Test func moreFieldsThanTheHeaderIsABadLine() throws {
        let f = Fixtures(); defer { f.remove() }
        let path = f.write("g.csv", "user_id,item_id\nu,i\nv,j,extra\n")
        #expect(dataError { try DelimitedReader.read(path: path) } == .extraFields(file: f.path("g.csv"), line: 3, header: 2, found: 3))
        let (log, report) = try DelimitedReader.read(path: path, options: ReadOptions(skipBadLines: true))
        #expect(log.count == 1 && report.skippedLines == 1)
    }
}
