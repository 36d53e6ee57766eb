import Foundation
import TowerReport

/// Reads TFRecord event files back, independently of the writer's framing code: it checks each
/// record's length and both masked CRC-32Cs and decodes the `Event` fields with a small protobuf
/// decoder (unknown fields are skipped by wire type, as any protobuf reader does).
struct EventFileReader {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// A decoded `Event`.
    struct Event: Equatable {
        var wallTime: Double = 0
        var step: Int64 = 0
        var fileVersion: String?
        var values: [(tag: String, value: Float)] = []

        static func == (a: Event, b: Event) -> Bool {
            a.wallTime == b.wallTime && a.step == b.step && a.fileVersion == b.fileVersion
                && a.values.map(\.tag) == b.values.map(\.tag) && a.values.map(\.value) == b.values.map(\.value)
        }
    }

    /// The records of `bytes`, each checked against its length and CRCs.
    static func records(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var records: [[UInt8]] = []
        var offset = 0
        while offset < bytes.count {
            guard offset + 12 <= bytes.count else { throw Failure(description: "record at \(offset): truncated header") }
            let header = Array(bytes[offset ..< offset + 8])
            let length = header.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            let lengthCRC = uint32(bytes, offset + 8)
            guard lengthCRC == CRC32C.masked(CRC32C.checksum(header)) else {
                throw Failure(description: "record at \(offset): length CRC mismatch")
            }
            let start = offset + 12
            guard length <= UInt64(bytes.count - start - 4) else {
                throw Failure(description: "record at \(offset): \(length) bytes announced, file too short")
            }
            let data = Array(bytes[start ..< start + Int(length)])
            guard uint32(bytes, start + Int(length)) == CRC32C.masked(CRC32C.checksum(data)) else {
                throw Failure(description: "record at \(offset): data CRC mismatch")
            }
            records.append(data)
            offset = start + Int(length) + 4
        }
        return records
    }

    /// The events of the file at `path`.
    static func events(atPath path: String) throws -> [Event] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        return try records(bytes).map(decodeEvent)
    }

    static func decodeEvent(_ bytes: [UInt8]) throws -> Event {
        var event = Event()
        try fields(bytes) { field, value in
            switch (field, value) {
            case (1, .fixed64(let bits)): event.wallTime = Double(bitPattern: bits)
            case (2, .varint(let v)): event.step = Int64(bitPattern: v)
            case (3, .bytes(let b)): event.fileVersion = String(decoding: b, as: UTF8.self)
            case (5, .bytes(let summary)):
                try fields(summary) { field, value in
                    guard field == 1, case .bytes(let v) = value else { return }
                    var tag = "", scalar = Float.nan
                    try fields(v) { field, value in
                        switch (field, value) {
                        case (1, .bytes(let b)): tag = String(decoding: b, as: UTF8.self)
                        case (2, .fixed32(let bits)): scalar = Float(bitPattern: bits)
                        default: break
                        }
                    }
                    event.values.append((tag, scalar))
                }
            default: break
            }
        }
        return event
    }

    enum Value {
        case varint(UInt64), fixed64(UInt64), bytes([UInt8]), fixed32(UInt32)
    }

    /// Calls `body` with every field of a message.
    static func fields(_ bytes: [UInt8], _ body: (Int, Value) throws -> Void) throws {
        var i = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { throw Failure(description: "bad varint at \(i)") }
                let b = bytes[i]; i += 1
                result |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return result }
                shift += 7
            }
        }
        func take(_ n: Int) throws -> [UInt8] {
            guard n >= 0, i + n <= bytes.count else { throw Failure(description: "field overruns the message at \(i)") }
            defer { i += n }
            return Array(bytes[i ..< i + n])
        }
        while i < bytes.count {
            let key = try varint()
            let field = Int(key >> 3)
            switch key & 7 {
            case 0: try body(field, .varint(try varint()))
            case 1: try body(field, .fixed64(try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }))
            case 2:
                let n = try varint()
                guard n <= UInt64(bytes.count) else { throw Failure(description: "length \(n) at \(i)") }
                try body(field, .bytes(try take(Int(n))))
            case 5: try body(field, .fixed32(try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }))
            default: throw Failure(description: "wire type \(key & 7) at \(i)")
            }
        }
    }

    private static func uint32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }
}

/// The event files in `directory`, sorted by name.
func eventFiles(in directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory)
        .filter { $0.hasPrefix("events.out.tfevents.") }.sorted().map { "\(directory)/\($0)" }
}

/// Bytes from lowercase hex.
func hexBytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var iterator = hex.makeIterator()
    while let a = iterator.next(), let b = iterator.next() {
        out.append(UInt8(String([a, b]), radix: 16) ?? 0)
    }
    return out
}
