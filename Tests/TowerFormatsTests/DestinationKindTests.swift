import Foundation
import Testing
import TowerTestSupport
@testable import TowerFormats

/// What a destination already is decides how it is written: symlinks are followed (the target
/// replaced, the link kept), special files written through, directories refused; re-saving a
/// model keeps the user's files; a dead process's temporary directories are removed.
@Suite struct DestinationKindTests {
    @Test func aSymlinkKeepsItsLinkAndItsTargetGetsTheBytes() throws {
        let dir = try makeTemporaryDirectory("dest-symlink")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write([1], to: dir + "/target.txt")
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.json", withDestinationPath: "target.txt")
        try AtomicFile.write([9, 9], to: dir + "/link.json")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.json") == "target.txt")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/target.txt")) == Data([9, 9]))
        // A dangling link gets its target created.
        try FileManager.default.createSymbolicLink(atPath: dir + "/dangling", withDestinationPath: "new.txt")
        try AtomicFile.write([4], to: dir + "/dangling")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/new.txt")) == Data([4]))
        #expect(listing(dir) == ["dangling", "link.json", "new.txt", "target.txt"])
    }

    @Test func aFIFOIsWrittenThroughNotReplaced() throws {
        let dir = try makeTemporaryDirectory("dest-fifo")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = FIFOReader(path: fifo)
        reader.start()
        try AtomicFile.write(Array("hello".utf8), to: fifo)
        let received = reader.wait()
        #expect(received == Array("hello".utf8))
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
        #expect(listing(dir) == ["pipe"])
    }

    /// `--out /dev/stdout` in a pipeline: /dev/stdout → /proc/self/fd/1 → an anonymous pipe,
    /// whose link text ("pipe:[N]") is no path. Written through, and accepted by the up-front check.
    @Test func anAnonymousPipeBehindAProcLinkIsWrittenThrough() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let dir = try makeTemporaryDirectory("dest-pipe")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let proc = "/proc/self/fd/\(ends[1])"
        let link = dir + "/stdout"  // like /dev/stdout: a symlink to the /proc link
        #expect(symlink(proc, link) == 0)
        try AtomicFile.checkWritableDestination(link, what: "output", directory: false)
        try AtomicFile.write(Array("via link\n".utf8), to: link)
        try AtomicFile.write(Array("via proc\n".utf8), to: proc)
        close(ends[1])
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let n = read(ends[0], &buffer, buffer.count)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        #expect(String(decoding: received, as: UTF8.self) == "via link\nvia proc\n")
        #expect(listing(dir) == ["stdout"])
    }

    @Test func aDeviceIsWrittenThroughAndItsErrorReported() throws {
        // A private copy of /dev/full (1, 7; every write fails with ENOSPC) where the test may
        // create device nodes (root); never the system's own node, which a regression would replace.
        let dir = try makeTemporaryDirectory("dest-device")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let full = dir + "/full"
        guard mknod(full, S_IFCHR | 0o666, 263) == 0 else { return }  // makedev(1, 7)
        let probe = open(full, O_WRONLY)  // a nodev mount refuses to open device nodes
        guard probe >= 0 else { return }
        close(probe)
        let error = try #require(throwing { try AtomicFile.write([1, 2, 3], to: full) })
        #expect("\(error)".contains("No space left"), "\(error)")
        var info = stat()
        #expect(lstat(full, &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
        #expect(listing(dir) == ["full"])
    }

    @Test func aDirectoryIsRefusedByName() throws {
        let dir = try makeTemporaryDirectory("dest-dir")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: PersistenceError.fileSystem(path: dir, operation: "write", reason: "it is a directory")) {
            try AtomicFile.write([1], to: dir)
        }
    }

    @Test func reSavingAModelKeepsTheUsersFiles() throws {
        let dir = try makeTemporaryDirectory("dest-carry")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = dir + "/mm"
        func save(_ value: Float) throws {
            try ModelDirectory.write(to: model, config: ["v": value], tensors: ["w": StoredTensor([value])],
                                     extraFiles: ["items.vocab": Data("\(value)".utf8)])
        }
        try save(1)
        try AtomicFile.write(Array("x\n".utf8), to: model + "/notes.txt")
        try FileManager.default.createDirectory(atPath: model + "/tb", withIntermediateDirectories: false)
        try AtomicFile.write([7], to: model + "/tb/events")
        try save(2)
        #expect(listing(model) == ["config.json", "items.vocab", "model.safetensors", "notes.txt", "tb"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: model + "/notes.txt")) == Data("x\n".utf8))
        #expect(try Data(contentsOf: URL(fileURLWithPath: model + "/tb/events")) == Data([7]))
        #expect(try Data(contentsOf: URL(fileURLWithPath: model + "/items.vocab")) == Data("2.0".utf8), "the model's own files are new")
        #expect(listing(dir) == ["mm"])
    }

    @Test func aModelSymlinkIsFollowed() throws {
        let dir = try makeTemporaryDirectory("dest-linkdir")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/real", withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: dir + "/linkdir", withDestinationPath: "real")
        try AtomicFile.checkWritableDestination(dir + "/linkdir", what: "--output")
        try ModelDirectory.write(to: dir + "/linkdir", config: ["v": 1], tensors: ["w": StoredTensor([Float(1)])])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/linkdir") == "real")
        #expect(ModelDirectory.isModelDirectory(dir + "/real"))
    }

    @Test func aRunInsideANewOutputIsRefusedBeforehand() throws {
        let dir = try makeTemporaryDirectory("dest-nested")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: PersistenceError.self) { try ModelDirectory.checkNested(dir + "/mm2/tb", what: "--tensorboard", in: dir + "/mm2") }
        try ModelDirectory.checkNested(dir + "/tb", what: "--tensorboard", in: dir + "/mm2")
        try ModelDirectory.write(to: dir + "/mm2", config: ["v": 1], tensors: ["w": StoredTensor([Float(1)])])
        try ModelDirectory.checkNested(dir + "/mm2/tb", what: "--tensorboard", in: dir + "/mm2")
    }

    @Test func temporaryDirectoriesOfDeadProcessesAreRemoved() throws {
        let dir = try makeTemporaryDirectory("dest-stale")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A pid that cannot be running (beyond pid_max), this process's own, and names that are
        // not ours: only the first goes.
        let names = ["km.tmp-999999999-AbCdEf", "km.tmp-\(getpid())-AbCdEf", "km.tmp-1-AbCdEf", "kmx.tmp-999999999-AbCdEf", "other"]
        for name in names { try FileManager.default.createDirectory(atPath: dir + "/" + name, withIntermediateDirectories: false) }
        AtomicFile.recoverInterruptedSwap(at: dir + "/km")
        #expect(listing(dir) == names.dropFirst().sorted())
        try AtomicFile.publishDirectory(at: dir + "/km") { try AtomicFile.write([1], to: $0 + "/one") }
        #expect(listing(dir) == (names.dropFirst() + ["km"]).sorted())
    }
}

/// Reads a FIFO to its end on a thread.
final class FIFOReader: @unchecked Sendable {
    let path: String
    private var bytes: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)
    init(path: String) { self.path = path }
    func start() {
        Thread {
            let fd = open(self.path, O_RDONLY)
            var buffer = [UInt8](repeating: 0, count: 256)
            while fd >= 0 {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                self.bytes += buffer[0..<n]
            }
            if fd >= 0 { close(fd) }
            self.done.signal()
        }.start()
    }
    func wait() -> [UInt8] { done.wait(); return bytes }
}

/// The error `body` throws, or nil.
func throwing(_ body: () throws -> Void) -> (any Error)? {
    do { try body(); return nil } catch { return error }
}
