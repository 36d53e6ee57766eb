import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file's identity for "is this still the file I trained on?": its absolute path, its size
/// in bytes and the CRC-32 of its whole contents (``CRC32``, slicing-by-8: about a byte per cycle,
/// so fingerprinting costs a fraction of parsing the file). Not a cryptographic hash: it detects
/// edits, truncation, appends and replacement, not deliberate collisions.
public struct FileFingerprint: Codable, Sendable, Equatable {
    /// The absolute path when the fingerprint was taken.
    public var path: String
    /// Size in bytes.
    public var size: Int64
    /// CRC-32 of the contents, 8 lowercase hex digits (Python: `format(zlib.crc32(data), "08x")`).
    public var crc32: String

    public init(path: String, size: Int64, crc32: String) {
        self.path = path; self.size = size; self.crc32 = crc32
    }

    /// Reads the file at `path` in 1 MiB blocks (bounded memory) and fingerprints it; `path` is made
    /// absolute (against the current directory) and standardised, symbolic links kept.
    /// - Throws: ``PersistenceError/fileSystem(path:operation:reason:)`` when it cannot be read.
    public static func of(_ path: String) throws(PersistenceError) -> FileFingerprint {
        let absolute = Self.absolute(path)
        let (fd, _) = try openForReading(path)
        defer { close(fd) }
        var crc = CRC32()
        var size: Int64 = 0
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { block.deallocate() }
        while true {
            let n = read(fd, block.baseAddress!, block.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw posixError(path, "read")
            }
            if n == 0 { break }
            crc.update(UnsafeRawBufferPointer(rebasing: block[0..<n]))
            size += Int64(n)
        }
        return FileFingerprint(path: absolute, size: size, crc32: CRC32.hex(crc.value))
    }

    /// `path` made absolute against the current directory, `.`/`..` resolved lexically.
    public static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// What differs between this (recorded) fingerprint and the file at ``path`` now, in words
    /// (`nil` when it is the same file): "is missing", "is 120 bytes, was 118", "has the same size
    /// but different contents (CRC-32 1a2b3c4d, was 5e6f7a8b)".
    public func difference() -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return "is missing (\(String(cString: strerror(errno))))" }
        guard Int64(info.st_size) == size else { return "is \(info.st_size) bytes, was \(size) when the model was trained" }
        guard let now = try? Self.of(path) else { return "cannot be read" }
        if now.crc32 != crc32 {
            return "has the same size but different contents (CRC-32 \(now.crc32), was \(crc32) when the model was trained)"
        }
        return nil
    }
}
