import Foundation
import TowerFormats
#if canImport(Glibc)
import Glibc
#endif

/// File helpers for the readers: display names, whole-file reads and atomic writes (both done by
/// TowerFormats, with errors as ``DataError``), and a chunked reader for the parsers.
enum FileIO {
    /// The name shown in error messages: the last path component.
    static func displayName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// The whole file, through TowerFormats' reader; failures become ``DataError/io(file:message:)``.
    static func readAll(_ path: String) throws(DataError) -> [UInt8] {
        do { return [UInt8](try readFileBytes(path)) } catch {
            guard case .fileSystem(_, _, let reason) = error else {
                throw .io(file: displayName(path), message: "cannot read the file (\(error))")
            }
            throw .io(file: displayName(path), message: "cannot read the file (\(reason))")
        }
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
        guard fd >= 0 else {
            throw .io(file: FileIO.displayName(path), message: "cannot open the file (\(String(cString: strerror(errno))))")
        }
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR else {
            close(fd)
            throw .io(file: FileIO.displayName(path), message: "is a directory, not a file")
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
