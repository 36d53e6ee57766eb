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
        // The destination is a non-empty directory: rename(2) fails.
        try FileManager.default.createDirectory(atPath: directory + "/target", withIntermediateDirectories: false)
        try AtomicFile.write([1], to: directory + "/target/inside")
        let error = #expect(throws: PersistenceError.self) { try AtomicFile.write([9, 9], to: directory + "/target") }
        if case let .fileSystem(path, operation, _)? = error {
            #expect(path == directory + "/target" && operation == "rename")
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
}
