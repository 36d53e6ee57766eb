import Foundation
import Testing
import TowerReport
import TowerTestSupport

/// The event file as written to disk: its name, the file-version record, scalars read back by
/// an independent reader, and the errors for unusable directories.
@Suite struct TensorBoardWriterTests {
    @Test func writesAFileTensorBoardRecognises() throws {
        let dir = temporaryDirectory("tensorboard") + "/nested/run1"
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        let writer = try TensorBoardWriter(directory: dir, wallTime: 1_700_000_123.75, hostname: "testhost")
        #expect(writer.path == "\(dir)/events.out.tfevents.1700000123.testhost")
        let scalars: [(String, Float, Int)] = [("train/loss", 2.5, 1), ("train/loss", 2.25, 2), ("epoch/loss", 2.375, 1),
                                               ("test/recall@10", 0.125, 1)]
        for (i, (tag, value, step)) in scalars.enumerated() {
            try writer.scalar(tag: tag, value: value, step: step, wallTime: 1_700_000_124 + Double(i))
        }
        try writer.close()
        try writer.close()  // a second close does nothing
        #expect(throws: TensorBoardError.closed(path: writer.path)) {
            try writer.scalar(tag: "late", value: 1, step: 9)
        }

        let events = try EventFileReader.events(atPath: writer.path)
        #expect(events.count == scalars.count + 1)
        #expect(events.first == EventFileReader.Event(wallTime: 1_700_000_123.75, step: 0, fileVersion: "brain.Event:2"))
        for (i, (tag, value, step)) in scalars.enumerated() {
            let event = events[i + 1]
            #expect(event.fileVersion == nil)
            #expect(event.step == Int64(step))
            #expect(event.wallTime == 1_700_000_124 + Double(i))
            #expect(event.values.count == 1 && event.values.first?.tag == tag && event.values.first?.value == value)
        }
        #expect(writer.eventCount == events.count)
    }

    @Test func aSecondWriterInTheSameSecondGetsItsOwnFile() throws {
        let dir = temporaryDirectory("tensorboard-twice")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try TensorBoardWriter(directory: dir, wallTime: 1_700_000_000, hostname: "h")
        let b = try TensorBoardWriter(directory: dir, wallTime: 1_700_000_000.5, hostname: "h")
        try a.close(); try b.close()
        #expect(a.path != b.path)
        #expect(try eventFiles(in: dir) == [a.path, b.path])
        #expect(try EventFileReader.events(atPath: b.path).count == 1)
    }

    @Test func pendingEventsReachTheFileOnFlush() throws {
        let dir = temporaryDirectory("tensorboard-flush")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try TensorBoardWriter(directory: dir)
        #expect(try EventFileReader.events(atPath: writer.path).count == 1, "the file-version event is flushed at once")
        try writer.scalar(tag: "a", value: 1, step: 1)
        #expect(try EventFileReader.events(atPath: writer.path).count == 1)
        try writer.flush()
        #expect(try EventFileReader.events(atPath: writer.path).count == 2)
        // Past the 64 KiB threshold, records are written without an explicit flush.
        for step in 0..<3000 { try writer.scalar(tag: "many", value: Float(step), step: step) }
        #expect(try EventFileReader.events(atPath: writer.path).count > 1000)
        try writer.close()
        #expect(try EventFileReader.events(atPath: writer.path).count == 3002)
    }

    @Test func unusableDirectoriesAreErrorsNamingThePath() throws {
        let dir = temporaryDirectory("tensorboard-errors")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/a-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))

        let error = try #require(throws: TensorBoardError.self) { try TensorBoardWriter(directory: "\(file)/logs") }
        #expect(error == .cannotCreateDirectory(directory: "\(file)/logs", path: file, reason: "it exists and is not a directory"))
        #expect(error.description.hasPrefix("\(file)/logs: cannot create the TensorBoard directory"))
        #expect(throws: TensorBoardError.cannotCreateDirectory(directory: file, path: file, reason: "it exists and is not a directory")) {
            try TensorBoardWriter(directory: file)
        }
        #expect(throws: TensorBoardError.self) { try TensorBoardWriter(directory: "") }
        // /proc refuses new directories even for root.
        let proc = try #require(throws: TensorBoardError.self) { try TensorBoardWriter(directory: "/proc/twotower-tb") }
        guard case let .cannotCreateDirectory(_, path, reason) = proc else {
            Issue.record("expected cannotCreateDirectory, got \(proc)"); return
        }
        #expect(path == "/proc/twotower-tb" && !reason.isEmpty)
    }

    @Test func writeErrorsNameTheFileAndTheCause() throws {
        // /dev/full accepts open(2) and fails every write with ENOSPC.
        guard let handle = FileHandle(forWritingAtPath: "/dev/full") else { return }
        let records = TFRecordWriter(handle: handle, path: "/dev/full", flushThreshold: 0)
        let error = try #require(throws: TensorBoardError.self) { try records.write([1, 2, 3]) }
        guard case let .cannotWrite(path, reason) = error else { Issue.record("expected cannotWrite, got \(error)"); return }
        #expect(path == "/dev/full")
        #expect(reason == String(cString: strerror(ENOSPC)))
        #expect(error.description.contains("/dev/full: cannot write TensorBoard events"))
    }
}
