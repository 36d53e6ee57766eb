import Foundation
import Testing
@testable import TowerFormats

struct InjectedFailure: Error, Equatable {}

@Suite struct AtomicFileTests {
    @Test func writesAndReplacesWithoutLeavingTemporaryFiles() throws {
        let directory = try makeTemporaryDirectory("atomic")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/a.bin"
        try AtomicFile.write([1, 2, 3], to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data([1, 2, 3]))
        try AtomicFile.write(Data("new".utf8), to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("new".utf8))
        #expect(listing(directory) == ["a.bin"])
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
    }

    @Test func aFailingWriteLeavesTheOldFileIntact() throws {
        let directory = try makeTemporaryDirectory("atomic-fail")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/model.safetensors"
        try AtomicFile.write(Data("old content".utf8), to: path)
        #expect(throws: InjectedFailure()) {
            try AtomicFile.write(to: path) { writer in
                try writer.write(Data("half of the new".utf8))
                #expect(writer.bytesWritten == 15)
                throw InjectedFailure()
            }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("old content".utf8))
        #expect(listing(directory) == ["model.safetensors"])
    }

    @Test func aFailingRenameRemovesTheTemporaryFile() throws {
        let directory = try makeTemporaryDirectory("atomic-rename")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The destination is a non-empty directory: refused by name before anything is written.
        try FileManager.default.createDirectory(atPath: directory + "/target", withIntermediateDirectories: false)
        try AtomicFile.write([1], to: directory + "/target/inside")
        let error = #expect(throws: PersistenceError.self) { try AtomicFile.write([9, 9], to: directory + "/target") }
        if case let .fileSystem(path, operation, _)? = error {
            #expect(path == directory + "/target" && operation == "write")
        } else {
            Issue.record("got \(String(describing: error))")
        }
        #expect(listing(directory) == ["target"])
        #expect(listing(directory + "/target") == ["inside"])
    }

    @Test func aMissingDirectoryIsAFileSystemError() {
        let error = #expect(throws: PersistenceError.self) { try AtomicFile.write([1], to: "/nonexistent-twotower/x/a.bin") }
        #expect(error?.description.hasPrefix("/nonexistent-twotower/x/a.bin: create temporary file failed: No such file") == true)
    }

    @Test func publishesAndReplacesADirectory() throws {
        let parent = try makeTemporaryDirectory("atomic-dir")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let path = parent + "/model"
        try AtomicFile.publishDirectory(at: path) { try AtomicFile.write([1], to: $0 + "/one") }
        #expect(listing(path) == ["one"])
        try AtomicFile.publishDirectory(at: path + "/") { try AtomicFile.write([2], to: $0 + "/two") }
        #expect(listing(path) == ["two"])
        #expect(listing(parent) == ["model"])
    }

    @Test func aFailingFillLeavesTheOldDirectoryIntact() throws {
        let parent = try makeTemporaryDirectory("atomic-dir-fail")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let path = parent + "/model"
        try AtomicFile.publishDirectory(at: path) { try AtomicFile.write([1], to: $0 + "/one") }
        #expect(throws: InjectedFailure()) {
            try AtomicFile.publishDirectory(at: path) { dir in
                try AtomicFile.write([2], to: dir + "/two")
                throw InjectedFailure()
            }
        }
        #expect(listing(path) == ["one"])
        #expect(listing(parent) == ["model"])
    }

    @Test func doesNotReplaceAFileWithADirectory() throws {
        let parent = try makeTemporaryDirectory("atomic-dir-file")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        try AtomicFile.write([7], to: parent + "/model")
        #expect(throws: PersistenceError.refusingToReplace(path: parent + "/model", reason: "it exists and is not a directory")) {
            try AtomicFile.publishDirectory(at: parent + "/model") { _ in }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: parent + "/model")) == Data([7]))
        #expect(listing(parent) == ["model"])
    }

    /// The swap is one step (renameat2 RENAME_EXCHANGE): a reader polling the path while it is
    /// replaced 200 times never finds it missing, and every listing it sees is a whole version.
    @Test func theDirectoryNeverGoesMissingWhileItIsReplaced() throws {
        let parent = try makeTemporaryDirectory("atomic-dir-swap")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let path = parent + "/model"
        try AtomicFile.publishDirectory(at: path) { try AtomicFile.write([0], to: $0 + "/v0") }
        let state = PollState()
        let reader = Thread {
            while !state.stopped {
                var info = stat()
                state.record(missing: stat(path, &info) != 0)
            }
        }
        reader.start()
        for k in 1...200 { try AtomicFile.publishDirectory(at: path) { try AtomicFile.write([UInt8(k % 256)], to: $0 + "/v\(k)") } }
        state.stop()
        while !reader.isFinished { usleep(1000) }
        #expect(state.missing == 0, "the directory was missing \(state.missing) of \(state.polls) times")
        #expect(state.polls > 0)
        #expect(listing(path) == ["v200"])
        #expect(listing(parent) == ["model"])
    }

    /// What the portable fallback can leave after a kill -9 between its two renames (the old version
    /// aside, nothing at the path) is put back; unfinished writes older than the limit are removed.
    @Test func anInterruptedSwapIsRecoveredAndStaleLeftoversRemoved() throws {
        let parent = try makeTemporaryDirectory("atomic-dir-recover")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let path = parent + "/model"
        try FileManager.default.createDirectory(atPath: path + ".old-AbC123", withIntermediateDirectories: false)
        try AtomicFile.write([1], to: path + ".old-AbC123/one")
        for name in ["model.tmp-stale1", "model.tmp-fresh1", "other.tmp-stale2"] {
            try FileManager.default.createDirectory(atPath: parent + "/" + name, withIntermediateDirectories: false)
        }
        let old = Date(timeIntervalSinceNow: -7200)
        for name in ["model.tmp-stale1", "other.tmp-stale2"] {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: parent + "/" + name)
        }
        AtomicFile.recoverInterruptedSwap(at: path)
        #expect(listing(path) == ["one"])
        #expect(listing(parent) == ["model", "model.tmp-fresh1", "other.tmp-stale2"])
        // A reader of a missing model directory recovers it the same way (without removing anything).
        try FileManager.default.moveItem(atPath: path, toPath: path + ".old-XyZ789")
        #expect(throws: (any Error).self) { _ = try ModelDirectory.read(EmptyConfig.self, from: path) }
        #expect(listing(path) == ["one"], "the reader put the aside copy back before reporting its own error")
    }
}

private struct EmptyConfig: Decodable {}

/// Counters shared with the polling thread.
private final class PollState: @unchecked Sendable {
    private let lock = NSLock()
    private var stopFlag = false, missingCount = 0, pollCount = 0
    var stopped: Bool { lock.withLock { stopFlag } }
    var missing: Int { lock.withLock { missingCount } }
    var polls: Int { lock.withLock { pollCount } }
    func stop() { lock.withLock { stopFlag = true } }
    func record(missing: Bool) { lock.withLock { pollCount += 1; if missing { missingCount += 1 } } }
}
