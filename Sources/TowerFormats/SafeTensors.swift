import Foundation
import TowerCore

/// Named tensors in the safetensors format, readable by Python's `safetensors` and by NumPy.
///
/// File layout (all integers little-endian):
/// ```
/// [8 bytes]  N, the header length (UInt64)
/// [N bytes]  JSON header, padded with spaces to a multiple of 8:
///            {"__metadata__": {string: string},
///             "name": {"dtype": "F32", "shape": [rows, columns], "data_offsets": [begin, end]}, ...}
/// [rest]     raw row-major tensor data; offsets are relative to the end of the header,
///            contiguous from 0, in offset order
/// ```
/// The writer stores tensors in name order and records the CRC-32 of the data section (as
/// `zlib.crc32` computes it, 8 hex digits) under ``checksumKey`` in `__metadata__`; the reader
/// checks it (see ``ChecksumPolicy``). Supported dtypes: F32, I64, I32.
public struct SafeTensors: Sendable {
    /// The `__metadata__` key holding the CRC-32 of the data section.
    public static let checksumKey = "twotower.data_crc32"
    /// Largest header accepted, as in the Python implementation (100 MB).
    public static let maximumHeaderLength = 100_000_000

    /// What the reader does with the checksum in `__metadata__`.
    public enum ChecksumPolicy: Sendable {
        /// A missing checksum is an error (files written by TwoTower).
        case required
        /// Verify it when present (files from other writers have none).
        case ifPresent
        /// Do not verify.
        case ignore
    }

    /// The tensors by name.
    public var tensors: [String: StoredTensor]
    /// The `__metadata__` string map (after reading, it includes ``checksumKey``).
    public var metadata: [String: String]
    /// Where the tensors came from, used in error messages (the path for files read from disk).
    public var source: String

    /// Tensors and metadata to write, or read from `source`.
    /// - Precondition: no tensor is named `__metadata__`.
    public init(tensors: [String: StoredTensor] = [:], metadata: [String: String] = [:], source: String = "<memory>") {
        precondition(tensors["__metadata__"] == nil, "SafeTensors: \"__metadata__\" is reserved, not a tensor name")
        self.tensors = tensors
        self.metadata = metadata
        self.source = source
    }

    // MARK: Writing

    /// The complete file contents.
    public func encoded() -> Data {
        let names = tensors.keys.sorted()
        let header = headerBytes(names: names)
        var data = Data(capacity: header.count + names.reduce(0) { $0 + tensors[$1]!.byteCount })
        data.append(contentsOf: header)
        for name in names { tensors[name]!.withLittleEndianBytes { data.append(contentsOf: $0) } }
        return data
    }

    /// Writes the file atomically (temporary file, fsync, rename), streaming tensor by tensor.
    /// - Throws: ``PersistenceError/fileSystem(path:operation:reason:)``.
    public func write(to path: String) throws {
        let names = tensors.keys.sorted()
        let header = headerBytes(names: names)
        try AtomicFile.write(to: path) { writer in
            try writer.write(header)
            for name in names { try tensors[name]!.withLittleEndianBytes { try writer.write($0) } }
        }
    }

    /// Length prefix plus padded JSON header for the tensors in `names` order.
    private func headerBytes(names: [String]) -> [UInt8] {
        var crc = CRC32()
        for name in names { tensors[name]!.withLittleEndianBytes { crc.update($0) } }
        var meta = metadata
        meta[Self.checksumKey] = CRC32.hex(crc.value)

        var json = "{\"__metadata__\":{"
        json += meta.keys.sorted().map { "\(jsonString($0)):\(jsonString(meta[$0]!))" }.joined(separator: ",")
        json += "}"
        var offset = 0
        for name in names {
            let tensor = tensors[name]!
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            json += ",\(jsonString(name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],"
            json += "\"data_offsets\":[\(offset),\(offset + tensor.byteCount)]}"
            offset += tensor.byteCount
        }
        json += "}"
        var bytes = Array(json.utf8)
        // Pad with spaces so the data section starts 8-byte aligned, as Python's writer does.
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8))
        var result = [UInt8]()
        result.reserveCapacity(8 + bytes.count)
        let length = UInt64(bytes.count)
        for i in 0..<8 { result.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(i)))) }
        result.append(contentsOf: bytes)
        return result
    }

    // MARK: Typed access

    /// The tensor named `name`.
    /// - Throws: ``PersistenceError/missingTensor(file:name:)``.
    public func tensor(_ name: String) throws -> StoredTensor {
        guard let tensor = tensors[name] else { throw PersistenceError.missingTensor(file: source, name: name) }
        return tensor
    }

    /// The 2-D F32 tensor `name` as a `[rows, columns]` matrix.
    /// - Throws: ``PersistenceError/missingTensor(file:name:)``,
    ///   ``PersistenceError/unexpectedTensor(file:name:expected:found:)``.
    public func matrix(_ name: String) throws -> Matrix {
        let t = try tensor(name)
        guard let m = t.matrix else { throw unexpected(name, "an F32 matrix", t) }
        return m
    }

    /// The 1-D F32 tensor `name`.
    public func floatVector(_ name: String) throws -> [Float] {
        let t = try tensor(name)
        guard let v = t.floatVector else { throw unexpected(name, "a 1-D F32 tensor", t) }
        return v
    }

    /// The 1-D I64 tensor `name`.
    public func int64Vector(_ name: String) throws -> [Int64] {
        let t = try tensor(name)
        guard let v = t.int64Vector else { throw unexpected(name, "a 1-D I64 tensor", t) }
        return v
    }

    /// The 1-D I32 tensor `name`.
    public func int32Vector(_ name: String) throws -> [Int32] {
        let t = try tensor(name)
        guard let v = t.int32Vector else { throw unexpected(name, "a 1-D I32 tensor", t) }
        return v
    }

    private func unexpected(_ name: String, _ expected: String, _ found: StoredTensor) -> PersistenceError {
        .unexpectedTensor(file: source, name: name, expected: expected, found: found.summary)
    }
}

/// `value` as a JSON string literal.
func jsonString(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
