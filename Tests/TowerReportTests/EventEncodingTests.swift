import Testing
import TowerReport

/// The protobuf encoding of events and their TFRecord framing, byte for byte, against
/// Tests/TowerReportTests/Reference/event_bytes.py (an independent encoder; with TensorBoard
/// installed it also checks its bytes against TensorBoard's `event_pb2` classes).
@Suite struct EventEncodingTests {
    /// (event, `python3 event_bytes.py`'s `<name>` and `<name>Record` lines).
    static let cases: [(name: String, event: TensorBoardEvent, message: String, record: String)] = [
        ("fileVersion",
         TensorBoardEvent(wallTime: 1_700_000_000.25, step: 0, content: .fileVersion("brain.Event:2")),
         "0900001040fc54d9411a0d627261696e2e4576656e743a32",
         "1800000000000000a37f4b220900001040fc54d9411a0d627261696e2e4576656e743a32338d2fe9"),
        ("lossAtStep42",
         TensorBoardEvent(wallTime: 1_700_000_001.5, step: 42, content: .summary([.init(tag: "train/loss", value: 0.693147)])),
         "0900006040fc54d941102a2a130a110a0a747261696e2f6c6f7373151572313f",
         "200000000000000029eda9500900006040fc54d941102a2a130a110a0a747261696e2f6c6f7373151572313f4c86a349"),
        ("twoValuesNegativeStep",
         TensorBoardEvent(wallTime: 1e9, step: -3, content: .summary([.init(tag: "test/recall@10", value: 0),
                                                                       .init(tag: "epoch/loss", value: -1.25e-3)])),
         "090000000065cdcd4110fdffffffffffffffff012a2a0a150a0e746573742f726563616c6c40313015000000000a110a0a65706f63682f6c6f7373150ad7a3ba",
         "40000000000000002817f495090000000065cdcd4110fdffffffffffffffff012a2a0a150a0e746573742f726563616c6c40313015000000000a110a0a65706f63682f6c6f7373150ad7a3bac5841fea"),
        ("bigStepUnicodeTag",
         TensorBoardEvent(wallTime: 1_700_000_002, step: 300_000, content: .summary([.init(tag: "métrique/λ", value: 3.0e38)])),
         "0900008040fc54d94110e0a7122a150a130a0c6dc3a97472697175652fcebb15e6b1617f",
         "2400000000000000422b804d0900008040fc54d94110e0a7122a150a130a0c6dc3a97472697175652fcebb15e6b1617f113c6606"),
    ]

    @Test(arguments: 0..<cases.count)
    func eventMatchesTheReferenceEncoding(index: Int) {
        let c = Self.cases[index]
        #expect(c.event.encoded() == hexBytes(c.message), "\(c.name)")
        #expect(TFRecordWriter.frame(c.event.encoded()) == hexBytes(c.record), "\(c.name) record")
    }

    @Test(arguments: 0..<cases.count)
    func eventDecodesBack(index: Int) throws {
        let c = Self.cases[index]
        let decoded = try EventFileReader.decodeEvent(c.event.encoded())
        #expect(decoded.wallTime == c.event.wallTime)
        #expect(decoded.step == c.event.step)
        switch c.event.content {
        case .fileVersion(let version):
            #expect(decoded.fileVersion == version && decoded.values.isEmpty)
        case .summary(let scalars):
            #expect(decoded.fileVersion == nil)
            #expect(decoded.values.map(\.tag) == scalars.map(\.tag))
            #expect(decoded.values.map(\.value) == scalars.map(\.value))
        }
    }

    @Test func varints() {
        func encoded(_ v: UInt64) -> [UInt8] {
            var w = ProtobufWriter()
            w.appendVarint(v)
            return w.bytes
        }
        // protobuf.dev's examples: 1 → 01, 150 → 96 01, 300 → ac 02.
        #expect(encoded(0) == [0])
        #expect(encoded(1) == [1])
        #expect(encoded(127) == [0x7F])
        #expect(encoded(128) == [0x80, 0x01])
        #expect(encoded(150) == [0x96, 0x01])
        #expect(encoded(300) == [0xAC, 0x02])
        #expect(encoded(UInt64.max) == [UInt8](repeating: 0xFF, count: 9) + [0x01])
        var w = ProtobufWriter()
        w.writeInt64(field: 2, -1)
        #expect(w.bytes == [0x10] + [UInt8](repeating: 0xFF, count: 9) + [0x01])
    }

    @Test func fixedWidthAndLengthDelimitedFields() {
        var w = ProtobufWriter()
        w.writeDouble(field: 1, 1.0)   // 1.0 = 0x3FF0000000000000
        w.writeFloat(field: 2, -2.0)   // -2.0f = 0xC0000000
        w.writeString(field: 16, "hi") // field 16: key (16 << 3 | 2) = 130 = 82 01
        var inner = ProtobufWriter()
        inner.writeVarint(field: 1, 150)
        w.writeMessage(field: 3, inner)  // the documentation's Test3 { Test1 c = 3; }: 1a 03 08 96 01
        #expect(w.bytes == [0x09, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F,
                            0x15, 0, 0, 0, 0xC0,
                            0x82, 0x01, 0x02, 0x68, 0x69,
                            0x1A, 0x03, 0x08, 0x96, 0x01])
    }
}
