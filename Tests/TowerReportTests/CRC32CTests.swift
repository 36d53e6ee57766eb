import Testing
import TowerReport

/// CRC-32C against published check values (RFC 3720 appendix B.4, the CRC catalogue's "check").
@Suite struct CRC32CTests {
    @Test func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func maskMatchesTheFormulaAndTheReferenceScript() {
        // Tests/TowerReportTests/Reference/event_bytes.py prints maskedCRC("123456789").
        #expect(CRC32C.maskedChecksum(Array("123456789".utf8)) == 0xC78A_B0E5)
        for crc: UInt32 in [0, 1, 0x8000_0000, 0xFFFF_FFFF, 0xE306_9283] {
            let rotated = crc >> 15 | crc << 17
            #expect(CRC32C.masked(crc) == UInt32((UInt64(rotated) + 0xA282_EAD8) & 0xFFFF_FFFF))
        }
    }

    @Test func incrementalEqualsOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        var crc = CRC32C()
        for cut in [0, 1, 7, 500, 999, 1000].adjacentPairs() {
            bytes[cut.0 ..< cut.1].withUnsafeBytes { crc.update($0) }
        }
        #expect(crc.value == CRC32C.checksum(bytes))
    }
}

private extension Array {
    func adjacentPairs() -> [(Element, Element)] { Array<(Element, Element)>(zip(self, dropFirst())) }
}
