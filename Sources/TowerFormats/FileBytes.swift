import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the whole file at `path`.
/// - Throws: ``PersistenceError/fileSystem(path:operation:reason:)`` naming the failing call.
public func readFileBytes(_ path: String) throws(PersistenceError) -> Data {
    let (fd, info) = try openForReading(path)
    defer { close(fd) }
    let size = Int(info.st_size)
    var data = Data(count: size)
    var failed = false
    var total = 0
    data.withUnsafeMutableBytes { buffer in
        while total < size {
            let n = read(fd, buffer.baseAddress! + total, size - total)
            if n < 0 {
                if errno == EINTR { continue }
                failed = true
                return
            }
            if n == 0 { break }  // the file shrank while reading
            total += n
        }
    }
    if failed { throw posixError(path, "read") }
    if total < size { data.removeSubrange(total...) }
    return data
}

/// Names a well-known format from a file's first bytes, to explain why it is not ours.
func sniffFormat(_ bytes: Data) -> String? {
    let head = [UInt8](bytes.prefix(8))
    func starts(_ magic: [UInt8]) -> Bool { head.count >= magic.count && Array(head[0..<magic.count]) == magic }
    if starts([0x89, 0x50, 0x4E, 0x47]) { return "a PNG image" }
    if starts([0x93] + Array("NUMPY".utf8)) { return "a NumPy .npy file" }
    if starts(Array("PK".utf8) + [3, 4]) { return "a zip archive (a PyTorch .pt/.pth checkpoint?)" }
    if starts([0x1F, 0x8B]) { return "a gzip file" }
    if starts([0xFF, 0xD8, 0xFF]) { return "a JPEG image" }
    if starts(Array("%PDF".utf8)) { return "a PDF document" }
    if starts([0x80]) { return "a Python pickle" }
    if starts(Array("\u{89}HDF".utf8)) || starts([0x89, 0x48, 0x44, 0x46]) { return "an HDF5 file" }
    if starts(Array("{".utf8)) || starts(Array("[".utf8)) { return "a JSON document" }
    return nil
}

/// The first bytes of `bytes` in hex, e.g. `89 50 4e 47`.
func hexPrefix(_ bytes: Data, count: Int = 8) -> String {
    bytes.prefix(count).map { b in
        let s = String(b, radix: 16)
        return s.count == 1 ? "0" + s : s
    }.joined(separator: " ")
}

/// Opens `path` read-only and stats it; a directory is refused. The caller closes the descriptor.
/// - Throws: ``PersistenceError/fileSystem(path:operation:reason:)`` naming the failing call.
func openForReading(_ path: String) throws(PersistenceError) -> (fd: Int32, info: stat) {
    let fd = open(path, O_RDONLY)
    if fd < 0 { throw posixError(path, "open") }
    var info = stat()
    if fstat(fd, &info) != 0 {
        let error = posixError(path, "stat")
        close(fd)
        throw error
    }
    if (info.st_mode & S_IFMT) == S_IFDIR {
        close(fd)
        throw PersistenceError.fileSystem(path: path, operation: "read", reason: "is a directory")
    }
    return (fd, info)
}
