import Foundation
import Testing
import TowerData
import TowerFormats
import TowerTestSupport
import TwoTower
@testable import TowerWorkflows

/// The data-source record saved with a model, and `evaluate` without `--data` (issue 12).
@Suite struct DataSourceRecordTests {
    /// 10 users × 6 timestamped interactions in a CSV with non-default column names.
    static func csvDirectory() throws -> String {
        let dir = temporaryDirectory("data-record")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var text = "who,what,when\n"
        for u in 0..<10 { for j in 0..<6 { text += "u\(u),i\((u + 2 * j) % 12),\(1000 + 10 * u + j)\n" } }
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/log.csv"))
        return dir
    }

    static func source(_ dir: String) throws -> DataSource {
        var s = DataSource()
        s.path = dir + "/log.csv"
        s.userColumn = "who"; s.itemColumn = "what"; s.timestampColumn = "when"
        s.split = try SplitStrategy(parsing: "ratio:0.7")
        return s
    }

    static func train(_ dir: String) throws -> TrainingRun {
        var run = TrainingRun()
        run.data = try source(dir)
        run.model.dimensions = 4
        run.training.epochs = 1
        run.training.batchSize = 8
        run.training.seed = 5
        run.training.patience = nil
        run.evaluation.ks = [3]
        run.output = dir + "/model"
        _ = try run.run()
        return run
    }

    @Test func theFingerprintIsSizeAndTheCRC32OfTheContents() throws {
        let dir = temporaryDirectory("fingerprint"); defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("123456789".utf8).write(to: URL(fileURLWithPath: dir + "/f"))
        let f = try FileFingerprint.of(dir + "/f")
        // CRC-32 check value of "123456789" (zlib.crc32(b"123456789") == 0xcbf43926).
        #expect(f == FileFingerprint(path: dir + "/f", size: 9, crc32: "cbf43926"))
        #expect(f.difference() == nil)
        try Data("123456780".utf8).write(to: URL(fileURLWithPath: dir + "/f"))
        #expect(f.difference()?.contains("same size but different contents") == true)
        try Data("1234567890".utf8).write(to: URL(fileURLWithPath: dir + "/f"))
        #expect(f.difference() == "is 10 bytes, was 9 when the model was trained")
        try FileManager.default.removeItem(atPath: dir + "/f")
        #expect(f.difference()?.hasPrefix("is missing") == true)
    }

    @Test func theSavedModelRecordsEverythingToRebuildItsData() throws {
        let dir = try Self.csvDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.train(dir)
        let checkpoint = try ModelCheckpoint.load(from: dir + "/model")
        let record = try #require(checkpoint.configuration.dataSource)
        #expect(record.path == dir + "/log.csv" && record.path!.hasPrefix("/"))
        #expect(record.format == "csv" && record.userColumn == "who" && record.itemColumn == "what")
        #expect(record.timestampColumn == "when" && record.split == "ratio:0.7" && record.splitSeed == 5)
        #expect(record.files == [try FileFingerprint.of(dir + "/log.csv")])
        // The way back gives the same source.
        var expected = try Self.source(dir)
        expected.format = .csv  // recorded as resolved
        #expect(try DataSource(record: record) == expected)
    }

    @Test func aModelSavedBeforeTheRecordStillDecodes() throws {
        let dir = try Self.csvDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.train(dir)
        let checkpoint = try ModelCheckpoint.load(from: dir + "/model")
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(checkpoint.configuration)) as? [String: Any])
        #expect(json["dataSource"] != nil)
        json["dataSource"] = nil
        let old = try JSONDecoder().decode(SavedModelConfiguration.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.dataSource == nil && old.dataName == checkpoint.configuration.dataName)
        var legacy = checkpoint
        legacy.configuration = old
        #expect(throws: ConfigurationError("\(dir)/model has no data record (saved by an older twotower): it was trained on \(dir)/log.csv; give --data \(dir)/log.csv and the split options used for training")) {
            try DataSource.recorded(in: legacy)
        }
        // A model trained through the library from in-memory pairs: no file, and the message says so.
        legacy.configuration.dataName = "in-memory pairs (12 interactions)"
        do {
            _ = try DataSource.recorded(in: legacy)
            Issue.record("expected an error")
        } catch let error as ConfigurationError {
            #expect("\(error)".contains("through the library, so no data file is recorded; give --data FILE"), "\(error)")
            #expect(!"\(error)".contains("older twotower"))
        }
    }

    /// `--data` split otherwise than at training would test on training interactions: an error
    /// naming each option that differs and its recorded value.
    @Test func evaluateWithAnotherSplitIsAnError() throws {
        let dir = try Self.csvDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.train(dir)
        var other = try Self.source(dir)
        other.split = try SplitStrategy(parsing: "ratio:0.5")
        other.timestampColumn = nil
        do {
            _ = try ModelEvaluation.evaluateSaved(modelDirectory: dir + "/model", data: other, settings: run.evaluation)
            Issue.record("another split must be an error")
        } catch let error as ConfigurationError {
            #expect(error.message.contains("--split ratio:0.5 (trained with ratio:0.7)"), "\(error)")
            #expect(error.message.contains("--timestamp-column none (trained with when)"), "\(error)")
        }
        _ = try ModelEvaluation.evaluateSaved(modelDirectory: dir + "/model", data: Self.source(dir), settings: run.evaluation)
    }

    /// `train --resume` on a data file changed since the run started (same size, other bytes) is
    /// an error naming the file, not a model trained half on each.
    @Test func resumeRefusesAChangedDataFile() throws {
        let dir = try Self.csvDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        var run = try Self.train(dir)
        run.resume = dir + "/model"
        _ = try run.run()  // unchanged: resumes (nothing left to train)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/log.csv"))
        // u0 → u9 on the first data line: the same size, other contents.
        bytes[bytes.index(after: bytes.firstIndex(of: UInt8(ascii: "\n"))!) + 1] = UInt8(ascii: "9")
        try bytes.write(to: URL(fileURLWithPath: dir + "/log.csv"))
        do {
            _ = try run.run()
            Issue.record("a changed data file must be an error on resume")
        } catch let error as ConfigurationError {
            #expect(error.message.contains("the data changed since the run started"), "\(error)")
            #expect(error.message.contains("\(dir)/log.csv"), "\(error)")
        }
    }

    @Test func evaluateWithoutDataUsesTheRecordAndRefusesAChangedFile() throws {
        let dir = try Self.csvDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try Self.train(dir)
        let given = try ModelEvaluation.evaluateSaved(modelDirectory: dir + "/model", data: Self.source(dir), settings: run.evaluation)
        let recorded = try ModelEvaluation.evaluateSaved(modelDirectory: dir + "/model", data: nil, settings: run.evaluation)
        // Same split, same test set: the same users evaluated and the same metrics.
        #expect(recorded.metrics == given.metrics)
        #expect(recorded.notes.first?.hasPrefix("data: \(dir)/log.csv (csv, split ratio:0.7, seed 5") == true)
        try FileManager.default.copyItem(atPath: dir + "/log.csv", toPath: dir + "/copy.csv")
        // One more line: the size differs, and the error names the file and both sizes.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/log.csv"))
        try handle.seekToEnd(); try handle.write(contentsOf: Data("u0,i11,2000\n".utf8)); try handle.close()
        do {
            _ = try ModelEvaluation.evaluateSaved(modelDirectory: dir + "/model", data: nil, settings: run.evaluation)
            Issue.record("a changed file must be an error")
        } catch let error as ConfigurationError {
            #expect(error.message.contains("\(dir)/log.csv is "), "\(error)")
            #expect(error.message.contains("bytes, was \(try FileFingerprint.of(dir + "/log.csv").size - 12)"), "\(error)")
            #expect(error.message.contains("give --data"), "\(error)")
        }
        // --data overrides the record: a copy of the original elsewhere gives the same metrics.
        var copy = try Self.source(dir)
        copy.path = dir + "/copy.csv"
        #expect(try ModelEvaluation.evaluateSaved(modelDirectory: dir + "/model", data: copy, settings: run.evaluation).metrics == given.metrics)
        // Moved away: "is missing".
        try FileManager.default.moveItem(atPath: dir + "/log.csv", toPath: dir + "/moved.csv")
        let missing = #expect(throws: ConfigurationError.self) {
            _ = try ModelEvaluation.evaluateSaved(modelDirectory: dir + "/model", data: nil, settings: run.evaluation)
        }
        #expect(missing?.message.contains("\(dir)/log.csv is missing") == true, "\(String(describing: missing))")
    }
}
