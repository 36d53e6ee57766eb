import Foundation
import TowerFormats
#if canImport(Glibc)
import Glibc
#endif

/// File helpers for the readers: display names, whole-file reads and atomic writes (both done by
/// TowerFormats, with errors as ``DataError``), and a chunked reader for the parsers.
enum FileIO {
    /// The name shown in error messages: the path as the user gave it (`ratings.csv` stays
    /// `ratings.csv`; `a/ratings.csv` and `b/ratings.csv` stay distinguishable), with a leading
    /// `./` dropped; a file found inside a given directory is that directory plus its name.
    static func displayName(_ path: String) -> String {
        var shown = Substring(path)
        while shown.hasPrefix("./"), shown.count > 2 { shown = shown.dropFirst(2) }
        return String(shown)
    }

    /// The last path component (what format detection looks at, e.g. `ratings.csv`).
    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// The operating system's reason for the last failed call: `strerror(errno)`, e.g. "Too many
    /// levels of symbolic links" (ELOOP), "Permission denied" (EACCES), "Not a directory" (ENOTDIR).
    static func systemReason() -> String { String(cString: strerror(errno)) }

    /// Why `path` cannot be reached (`stat` fails), in the system's words; `nil` when it can.
    static func unreachable(_ path: String) -> String? {
        var st = stat()
        return stat(path, &st) == 0 ? nil : systemReason()
    }

    /// The error for a path that cannot be reached or opened: the path as given and the system's reason.
    static func cannotOpen(_ path: String, _ reason: String, what: String = "the file") -> DataError {
        .io(file: path, message: "cannot open \(what) (\(reason))")
    }

    /// The whole file, through TowerFormats' reader; failures become ``DataError/io(file:message:)``.
    static func readAll(_ path: String) throws(DataError) -> [UInt8] {
        do { return [UInt8](try readFileBytes(path)) } catch {
            guard case .fileSystem(_, _, let reason) = error else {
                throw .io(file: path, message: "cannot read the file (\(error))")
            }
            throw .io(file: path, message: "cannot read the file (\(reason))")
        }
    }

    /// The first `count` bytes of the file (fewer when it is shorter).
    /// - Throws: ``DataError/io(file:message:)`` with the path and the system's reason.
    static func readHead(_ path: String, count: Int) throws(DataError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw cannotOpen(path, systemReason()) }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, count - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(file: path, message: "cannot read the file (\(systemReason()))")
            }
            if n == 0 { break }
            filled += n
        }
        head.removeSubrange(filled...)
        return head
    }

    /// Writes `bytes` atomically through TowerFormats' ``AtomicFile``.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(DataError) {
        do { try AtomicFile.write(bytes, to: path) } catch {
            throw .io(file: displayName(path), message: "cannot write the file (\(error))")
        }
    }
}

/// Reads a file in large chunks into one growable buffer; the parser consumes complete records
/// and asks for more, keeping the unconsumed tail at the front.
final class ChunkedFile {
    let path: String
    let name: String
    private let fd: Int32
    @exclusivity(unchecked) private(set) var buffer: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private(set) var capacity: Int
    /// Valid bytes in `buffer`.
    @exclusivity(unchecked) private(set) var filled = 0
    /// True once the end of the file has been read.
    @exclusivity(unchecked) private(set) var atEnd = false
    /// Bytes already dropped from the front (file offset of `buffer[0]`).
    @exclusivity(unchecked) private(set) var consumedBefore = 0
    let fileSize: Int

    init(path: String, chunkSize: Int = 1 << 22) throws(DataError) {
        self.path = path
        self.name = FileIO.displayName(path)
        var st = stat()
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FileIO.cannotOpen(path, FileIO.systemReason()) }
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR else {
            close(fd)
            throw .io(file: path, message: "is a directory, not a file")
        }
        self.fd = fd
        fileSize = Int(st.st_size)
        capacity = chunkSize
        buffer = .allocate(capacity: chunkSize + 16)
    }

    deinit {
        buffer.deallocate()
        close(fd)
    }

    /// Drops the first `count` bytes, then reads until the buffer is full or the file ends.
    /// With `grow`, doubles the buffer first (a record longer than the buffer).
    func refill(dropping count: Int, grow: Bool = false) throws(DataError) {
        if count > 0 {
            memmove(buffer, buffer + count, filled - count)
            filled -= count
            consumedBefore += count
        }
        if grow {
            let newCapacity = capacity * 2
            let b = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity + 16)
            b.update(from: buffer, count: filled)
            buffer.deallocate()
            buffer = b
            capacity = newCapacity
        }
        while filled < capacity && !atEnd {
            let n = read(fd, buffer + filled, capacity - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(file: name, message: "read failed (\(String(cString: strerror(errno))))")
            }
            if n == 0 { atEnd = true } else { filled += n }
        }
    }
}
