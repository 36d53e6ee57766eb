import CFileSystem
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files and directories so that a reader sees either the old version or the complete new
/// one, never a partial file, even if the process dies half way.
///
/// A file is written to a temporary file in the same directory (`.NAME.tmp-XXXXXX`), flushed with
/// `fsync`, then renamed over the destination; the directory is synced after the rename. On any
/// failure the temporary file is removed and the destination is untouched.
///
/// What the destination already is decides how it is written (the rule for every writer of
/// files: `--metrics-out`, `--report`, `--best-config`, exports):
/// - a symlink: its target is replaced atomically as above (the link itself stays; a chain of
///   links is followed; a dangling link gets its target created);
/// - a device, FIFO or socket (`/dev/stdout`, `/dev/full`, a named pipe): written straight
///   through, like a shell redirection; it is not atomic and never replaced by a regular file;
/// - a directory: refused (`it is a directory`).
public enum AtomicFile {
    /// Sequential writer handed to the closure of ``write(to:_:)``.
    public struct Writer {
        fileprivate let descriptor: Int32
        fileprivate let path: String
        /// Bytes written so far.
        public private(set) var bytesWritten: Int = 0

        /// Appends `bytes`.
        /// - Throws: ``PersistenceError/fileSystem(path:operation:reason:)`` when `write(2)` fails.
        public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
            var offset = 0
            while offset < bytes.count {
                let n = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw posixError(path, "write")
                }
                offset += n
            }
            bytesWritten += bytes.count
        }

        /// Appends `data`.
        public mutating func write(_ data: Data) throws {
            try data.withUnsafeBytes { try write($0) }
        }

        /// Appends `bytes`.
        public mutating func write(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { try write($0) }
        }
    }

    /// Atomically replaces the file at `path` with `data`.
    /// - Throws: ``PersistenceError/fileSystem(path:operation:reason:)``.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { try $0.write(data) }
    }

    /// Atomically replaces the file at `path` with `bytes`.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { try $0.write(bytes) }
    }

    /// Atomically replaces the file at `path` with whatever `produce` writes.
    ///
    /// If `produce` throws, the temporary file is removed, the destination keeps its old content and
    /// the error is rethrown unchanged. The new file gets mode 0644.
    public static func write(to requested: String, _ produce: (inout Writer) throws -> Void) throws {
        // stat follows the links the kernel follows, /dev/stdout → /proc/self/fd/1 → a pipe
        // included (whose readlink text, "pipe:[N]", is no path): a special file is written
        // through as the caller named it.
        var existing = stat()
        if stat(requested, &existing) == 0 {
            switch existing.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw PersistenceError.fileSystem(path: requested, operation: "write", reason: "it is a directory")
            default: return try writeThrough(to: requested, shownAs: requested, produce)
            }
        }
        let path = resolvingSymlinks(requested)
        let (directory, name) = split(path)
        var template = Array("\(directory)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        if fd < 0 { throw posixError(path, "create temporary file") }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var closed = false
        do {
            var writer = Writer(descriptor: fd, path: path)
            try produce(&writer)
            if fchmod(fd, 0o644) != 0 { throw posixError(temporary, "chmod") }
            if fsync(fd) != 0 { throw posixError(path, "fsync") }
            closed = true
            if close(fd) != 0 { throw posixError(path, "close") }
            if rename(temporary, path) != 0 { throw posixError(path, "rename") }
        } catch {
            if !closed { close(fd) }
            unlink(temporary)
            throw error
        }
        syncDirectory(directory)
    }

    /// Writes to an existing special file (device, FIFO, socket) in place.
    private static func writeThrough(to path: String, shownAs shown: String, _ produce: (inout Writer) throws -> Void) throws {
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        if fd < 0 { throw posixError(shown, "open") }
        defer { close(fd) }
        var writer = Writer(descriptor: fd, path: shown)
        try produce(&writer)
    }

    /// `path` with every symlink of its last component followed (at most 40), relative targets
    /// taken from the link's directory; `path` itself when it is no symlink.
    public static func resolvingSymlinks(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return current }
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(current, &buffer, buffer.count - 1)
            guard n > 0 else { return current }
            let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : split(current).0 + "/" + target
        }
        return current
    }

    /// Atomically publishes the directory at `path` with the files `fill` writes.
    ///
    /// `fill` receives a fresh sibling directory `PATH.tmp-XXXXXX` to write into. When it returns,
    /// the directory is synced and renamed to `path`. If `path` already exists the two are
    /// exchanged in one atomic step (Linux `renameat2(RENAME_EXCHANGE)`), so `path` never goes
    /// missing — not to a concurrent reader, not after a kill -9 — and the old one is removed.
    /// Where exchange is unsupported: renamed aside to `PATH.old-XXXXXX`, the new directory renamed
    /// in, the old one removed (renamed back if the second rename fails; after a crash between the
    /// two, ``recoverInterruptedSwap(at:staleSeconds:)`` restores it). If `fill` throws, the temporary directory is
    /// removed and `path` is untouched.
    ///
    /// With `carryingOverExcept`, every entry of the old directory that `fill` did not write and
    /// that is not in the set (the old version's own files) — a user's notes, a metrics file or a
    /// TensorBoard run written inside it — is moved into the new one right after the swap, so re-saving never deletes what the user put there. A symlink at
    /// `path` is followed: its target directory is replaced and the link stays. The temporary
    /// directory's name carries the process id (`PATH.tmp-<pid>-XXXXXX`), so a later publish
    /// removes those of processes that died (kill -9) mid-save.
    /// - Throws: ``PersistenceError/refusingToReplace(path:reason:)`` when `path` exists and is not a
    ///   directory, ``PersistenceError/fileSystem(path:operation:reason:)``, or what `fill` throws.
    public static func publishDirectory(at path: String, carryingOverExcept ownFiles: Set<String>? = nil,
                                        _ fill: (String) throws -> Void) throws {
        let path = resolvingSymlinks(path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)
        let (parent, _) = split(path)
        recoverInterruptedSwap(at: path)
        let temporary = try makeTemporaryDirectory(prefix: "\(path).tmp-\(getpid())-")
        do {
            try fill(temporary)
            syncDirectory(temporary)
            var info = stat()
            if lstat(path, &info) == 0 {
                guard (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw PersistenceError.refusingToReplace(path: path, reason: "it exists and is not a directory")
                }
                // One atomic step where the kernel can (Linux renameat2 RENAME_EXCHANGE): `path` is
                // never missing, even to a reader between two calls or after a kill -9.
                if tower_rename_exchange(temporary, path) == 0 {
                    if let ownFiles { carryOver(from: temporary, into: path, except: ownFiles) }  // `temporary` is now the old one
                    try? FileManager.default.removeItem(atPath: temporary)  // now the old directory
                } else {
                    // Portable fallback: move the old one to a unique name, then the new one in.
                    // A crash between the two leaves `path` missing; ``recoverInterruptedSwap(at:)``
                    // restores it on the next load or save.
                    let aside = try makeTemporaryDirectory(prefix: "\(path).old-")
                    rmdir(aside)
                    if rename(path, aside) != 0 { throw posixError(path, "rename aside") }
                    if rename(temporary, path) != 0 {
                        let error = posixError(path, "rename")
                        rename(aside, path)
                        throw error
                    }
                    if let ownFiles { carryOver(from: aside, into: path, except: ownFiles) }
                    try? FileManager.default.removeItem(atPath: aside)
                }
            } else if rename(temporary, path) != 0 {
                throw posixError(path, "rename")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        syncDirectory(parent)
    }

    /// Moves each entry of `old` that `new` lacks and `except` does not name into `new` (same
    /// file system: renames).
    private static func carryOver(from old: String, into new: String, except: Set<String>) {
        let written = Set((try? FileManager.default.contentsOfDirectory(atPath: new)) ?? [])
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: old)) ?? []
        where !written.contains(entry) && !except.contains(entry) {
            _ = rename(old + "/" + entry, new + "/" + entry)
        }
    }

    /// The process id in a temporary directory name `NAME.tmp-<pid>-XXXXXX`, or nil.
    static func ownerProcess(ofTemporary entry: String, name: String) -> pid_t? {
        let rest = entry.dropFirst(name.count + ".tmp-".count)
        guard let dash = rest.firstIndex(of: "-"), rest[rest.index(after: dash)...].count == 6,
              let pid = pid_t(rest[..<dash]), pid > 0 else { return nil }
        return pid
    }

    /// Repairs what an interrupted ``publishDirectory(at:_:)`` can leave: when `path` is missing but
    /// a `PATH.old-*` sibling (the previous version, moved aside by the portable fallback) exists,
    /// the newest one is renamed back to `path`. Then `PATH.tmp-*` and `PATH.old-*` siblings older
    /// than `staleSeconds` (unfinished writes of processes that died) are removed (`nil`: none
    /// are); a `PATH.tmp-<pid>-XXXXXX` one is removed at once when that process no longer runs
    /// (and is not this one). Nothing else is touched: only siblings named after `path`. Best effort: failures are ignored. Called before every publish, and by
    /// ``ModelDirectory`` when a model directory to read is missing.
    public static func recoverInterruptedSwap(at path: String, staleSeconds: Double? = 3600) {
        let path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        let (parent, name) = split(path)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        func modified(_ entry: String) -> Date? {
            (try? FileManager.default.attributesOfItem(atPath: parent + "/" + entry))?[.modificationDate] as? Date
        }
        let asides = entries.filter { $0.hasPrefix(name + ".old-") }
        var info = stat()
        if lstat(path, &info) != 0, errno == ENOENT,
           let newest = asides.max(by: { (modified($0) ?? .distantPast) < (modified($1) ?? .distantPast) }) {
            _ = rename(parent + "/" + newest, path)
        }
        guard let staleSeconds else { return }
        let now = Date()
        for entry in entries where entry.hasPrefix(name + ".tmp-") || entry.hasPrefix(name + ".old-") {
            if entry.hasPrefix(name + ".tmp-"), let pid = ownerProcess(ofTemporary: entry, name: name), pid != getpid(),
               kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(atPath: parent + "/" + entry)  // its writer died
                continue
            }
            guard let date = modified(entry), now.timeIntervalSince(date) > staleSeconds else { continue }
            try? FileManager.default.removeItem(atPath: parent + "/" + entry)
        }
    }

    /// Checks, before a long job, that `path` can be written later: its parent directory exists,
    /// is a directory and is writable, and `path` itself is not a directory when a file is
    /// meant (`directory: false`) or not a file when a directory is (`directory: true`).
    /// - Throws: ``PersistenceError/fileSystem(path:operation:reason:)`` naming `what` (e.g. `--output`).
    public static func checkWritableDestination(_ path: String, what: String, directory: Bool = true) throws {
        var target = stat()
        if !directory, stat(path, &target) == 0, ![S_IFREG, S_IFDIR].contains(target.st_mode & S_IFMT) {
            // A device, FIFO or pipe (`/dev/stdout` in a pipeline): written through, not replaced.
            guard access(path, W_OK) == 0 else {
                throw PersistenceError.fileSystem(path: path, operation: "check \(what)", reason: "it is not writable (\(String(cString: strerror(errno))))")
            }
            return
        }
        let trimmed = resolvingSymlinks(path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path)
        let (parent, _) = split(trimmed)
        var info = stat()
        guard stat(parent, &info) == 0 else {
            throw PersistenceError.fileSystem(path: path, operation: "check \(what)", reason: "its directory \(parent) cannot be reached (\(String(cString: strerror(errno))))")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw PersistenceError.fileSystem(path: path, operation: "check \(what)", reason: "\(parent) is not a directory")
        }
        guard access(parent, W_OK) == 0 else {
            throw PersistenceError.fileSystem(path: path, operation: "check \(what)", reason: "its directory \(parent) is not writable (\(String(cString: strerror(errno))))")
        }
        if lstat(trimmed, &info) == 0 {
            let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
            if directory && !isDirectory {
                throw PersistenceError.fileSystem(path: path, operation: "check \(what)", reason: "it exists and is not a directory")
            }
            if !directory && isDirectory {
                throw PersistenceError.fileSystem(path: path, operation: "check \(what)", reason: "it is a directory")
            }
        }
    }

    /// `(directory, last component)` of a path; the directory is "." for a bare name.
    static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = slash == path.startIndex ? "/" : String(path[..<slash])
        return (directory, String(path[path.index(after: slash)...]))
    }

    private static func makeTemporaryDirectory(prefix: String) throws -> String {
        var template = Array("\(prefix)XXXXXX".utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        if result == nil { throw posixError(prefix + "XXXXXX", "create temporary directory") }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Best effort: some file systems refuse `fsync` on directories, which is not an error here.
    private static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }
}

/// A ``PersistenceError/fileSystem(path:operation:reason:)`` from the current `errno`.
func posixError(_ path: String, _ operation: String) -> PersistenceError {
    .fileSystem(path: path, operation: operation, reason: String(cString: strerror(errno)))
}
