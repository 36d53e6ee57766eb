import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes TFRecord files (TensorFlow's `tensorflow/core/lib/io/record_writer.cc`), the container
/// of TensorBoard event files.
///
/// Each record is framed as
/// ```
/// uint64 length          (little-endian)
/// uint32 masked_crc32c(length bytes)
/// byte   data[length]
/// uint32 masked_crc32c(data)
/// ```
/// with ``CRC32C/masked(_:)`` — 16 bytes of framing per record. Records are collected in memory and
/// handed to the file descriptor by ``flush()`` (and whenever `flushThreshold` bytes are pending),
/// so per-step records cost no system call. A flush makes the bytes visible to readers such as a
/// running TensorBoard; it does not `fsync`. Not thread-safe.
public final class TFRecordWriter {
    /// The file's path, for error messages.
    public let path: String
    /// Pending bytes that trigger a write without waiting for ``flush()``.
    public let flushThreshold: Int
    /// Records appended so far.
    public private(set) var recordCount = 0
    /// Bytes handed to the file so far (excluding pending ones).
    public private(set) var bytesWritten = 0

    private var handle: FileHandle?
    private var pending: [UInt8] = []

    /// A writer appending to `handle` (which it closes in ``close()``); `path` names the file in errors.
    /// - Parameter flushThreshold: bytes (≥ 0) that may wait in memory before they are written.
    public init(handle: FileHandle, path: String, flushThreshold: Int = 64 << 10) {
        precondition(flushThreshold >= 0, "TFRecordWriter: flushThreshold \(flushThreshold) < 0")
        self.handle = handle
        self.path = path
        self.flushThreshold = flushThreshold
        pending.reserveCapacity(flushThreshold + 256)
    }

    deinit {
        try? close()
    }

    /// The framed record of `data`: length, masked CRC-32C of the length, data, masked CRC-32C of the data.
    public static func frame(_ data: [UInt8]) -> [UInt8] {
        var record: [UInt8] = []
        record.reserveCapacity(data.count + 16)
        appendFrame(data, to: &record)
        return record
    }

    private static func appendFrame(_ data: [UInt8], to record: inout [UInt8]) {
        let start = record.count
        withUnsafeBytes(of: UInt64(data.count).littleEndian) { record.append(contentsOf: $0) }
        let lengthCRC = record.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[start ..< start + 8])) }
        withUnsafeBytes(of: CRC32C.masked(lengthCRC).littleEndian) { record.append(contentsOf: $0) }
        record.append(contentsOf: data)
        withUnsafeBytes(of: CRC32C.maskedChecksum(data).littleEndian) { record.append(contentsOf: $0) }
    }

    /// Appends one record; writes the pending bytes if they exceed `flushThreshold`.
    /// - Throws: ``TensorBoardError/cannotWrite(path:reason:)``, ``TensorBoardError/closed(path:)``.
    public func write(_ data: [UInt8]) throws {
        guard handle != nil else { throw TensorBoardError.closed(path: path) }
        Self.appendFrame(data, to: &pending)
        recordCount += 1
        if pending.count > flushThreshold { try flush() }
    }

    /// Hands every pending byte to the file.
    /// - Throws: ``TensorBoardError/cannotWrite(path:reason:)`` with the system's reason;
    ///   ``TensorBoardError/closed(path:)`` after ``close()``.
    public func flush() throws {
        guard let handle else { throw TensorBoardError.closed(path: path) }
        guard !pending.isEmpty else { return }
        let descriptor = handle.fileDescriptor
        var offset = 0
        try pending.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let n = posixWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw TensorBoardError.cannotWrite(path: path, reason: String(cString: strerror(errno)))
                }
                offset += n
            }
        }
        bytesWritten += pending.count
        pending.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file; later calls do nothing.
    /// - Throws: the flush's error (the file is closed regardless).
    public func close() throws {
        guard let handle else { return }
        defer {
            try? handle.close()
            self.handle = nil
        }
        try flush()
    }
}

/// `write(2)` (the writer's own `write` method hides the C function inside the class).
private func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
