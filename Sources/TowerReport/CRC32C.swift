/// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78), the checksum of TFRecord files, iSCSI
/// and ext4 metadata.
///
/// TFRecord (TensorFlow's `tensorflow/core/lib/io/record_writer.cc`, `crc32c.h`) stores checksums
/// *masked* with ``masked(_:)``, because a CRC over data that itself embeds CRCs is weak.
/// Python computes the same value with `crc32c.crc32c(data)` or, in TensorBoard,
/// `tensorboard.compat.tensorflow_stub.pywrap_tensorflow.masked_crc32c`.
/// Check values: `"123456789"` → `0xE3069283`, 32 zero bytes → `0x8A9136AA` (RFC 3720, B.4).
/// Table-driven, one byte per lookup: event files are small, so speed does not matter here.
public struct CRC32C: Sendable {
    /// The running (finalised) checksum of everything passed to ``update(_:)`` so far.
    public private(set) var value: UInt32 = 0

    /// A checksum of zero bytes (value 0).
    public init() {}

    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32C()
        crc.update(bytes)
        return crc.value
    }

    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// TFRecord's mask of a CRC: `((crc >> 15) | (crc << 17)) &+ 0xa282ead8` (rotate right by 15,
    /// add a constant, modulo 2³²).
    public static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    /// The masked CRC-32C of `bytes`, as TFRecord stores it.
    public static func maskedChecksum(_ bytes: [UInt8]) -> UInt32 {
        masked(checksum(bytes))
    }

    /// Continues the checksum over `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = ~value
        crc32cTable.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
        }
        value = ~crc
    }
}

/// The 256-entry byte table of the reflected polynomial 0x82F63B78.
private let crc32cTable: [UInt32] = (0..<256).map { i in
    var c = UInt32(i)
    for _ in 0..<8 { c = (c & 1) != 0 ? (0x82F6_3B78 ^ (c >> 1)) : (c >> 1) }
    return c
}
