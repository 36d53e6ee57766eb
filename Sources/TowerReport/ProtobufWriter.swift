/// A minimal Protocol Buffers encoder: the four wire types an event file needs, appended to a byte
/// array in field order.
///
/// The encoding is protobuf's wire format (protobuf.dev/programming-guides/encoding): every field is
/// a key `(field << 3) | wireType` as a varint followed by its value — a varint (wire type 0), eight
/// little-endian bytes (1: `double`, `fixed64`), a varint length and that many bytes (2: `string`,
/// `bytes`, nested messages) or four little-endian bytes (5: `float`, `fixed32`). The writer does
/// not know proto3's rule that fields equal to their default are left out; the caller (e.g.
/// ``TensorBoardEvent/encoded()``) decides what to write.
public struct ProtobufWriter: Sendable {
    /// The wire type of a field, stored in the low three bits of its key.
    public enum WireType: UInt64, Sendable {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    /// The encoded message so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty message.
    public init() {}

    /// Appends `value` as a base-128 varint: seven bits per byte, least significant group first,
    /// the high bit set on every byte but the last (1 to 10 bytes).
    public mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Appends the key of field `field` (1 ... 2²⁹ − 1) with `wireType`.
    public mutating func appendKey(field: Int, wireType: WireType) {
        precondition(field >= 1 && field < 1 << 29, "ProtobufWriter: field number \(field) is outside 1 ..< 2^29")
        appendVarint(UInt64(field) << 3 | wireType.rawValue)
    }

    /// An unsigned varint field (`uint64`, `uint32`, `bool`, enum).
    public mutating func writeVarint(field: Int, _ value: UInt64) {
        appendKey(field: field, wireType: .varint)
        appendVarint(value)
    }

    /// An `int64` field: the two's-complement bits as a varint (a negative value takes 10 bytes).
    public mutating func writeInt64(field: Int, _ value: Int64) {
        writeVarint(field: field, UInt64(bitPattern: value))
    }

    /// A `double` field: the IEEE 754 bits, little-endian (wire type 1).
    public mutating func writeDouble(field: Int, _ value: Double) {
        appendKey(field: field, wireType: .fixed64)
        appendLittleEndian(value.bitPattern)
    }

    /// A `float` field: the IEEE 754 bits, little-endian (wire type 5).
    public mutating func writeFloat(field: Int, _ value: Float) {
        appendKey(field: field, wireType: .fixed32)
        appendLittleEndian(value.bitPattern)
    }

    /// A `bytes` field: the length as a varint, then the bytes (wire type 2).
    public mutating func writeBytes(field: Int, _ value: [UInt8]) {
        appendKey(field: field, wireType: .lengthDelimited)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A `string` field: its UTF-8 bytes, length-delimited.
    public mutating func writeString(field: Int, _ value: String) {
        writeBytes(field: field, Array(value.utf8))
    }

    /// A nested message field: the message's encoding, length-delimited.
    public mutating func writeMessage(field: Int, _ message: ProtobufWriter) {
        writeBytes(field: field, message.bytes)
    }

    private mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
