import Foundation
import Testing
import TowerCore
import TowerTestSupport
@testable import TowerFormats

@Suite struct SafeTensorsTests {
    /// The tensors `Reference/check_safetensors.py read` expects.
    static func referenceTensors() -> [String: StoredTensor] {
        [
            "matrix": StoredTensor(Matrix(rows: 3, columns: 4, values: specialFloats)),
            "bias": StoredTensor([Float(0.25), -2, 3.5]),
            "ids": StoredTensor([Int64(0), 1, -1, .max, .min]),
            "counts": StoredTensor([Int32(0), 1, -1, .max]),
            "empty": StoredTensor(Matrix(rows: 0, columns: 4)),
        ]
    }

    static let referenceMetadata = ["note": "quote \" and unicode é", "model": "twotower"]

    @Test func roundTripIsBitIdentical() throws {
        let original = SafeTensors(tensors: Self.referenceTensors(), metadata: Self.referenceMetadata)
        let decoded = try SafeTensors.decode(original.encoded(), file: "x.safetensors", checksum: .required)
        #expect(Set(decoded.tensors.keys) == Set(original.tensors.keys))
        for (name, tensor) in original.tensors {
            #expect(sameBits(try decoded.tensor(name), tensor), "tensor \(name)")
        }
        #expect(decoded.metadata["note"] == "quote \" and unicode é")
        #expect(decoded.metadata["model"] == "twotower")
        #expect(decoded.metadata[SafeTensors.checksumKey]?.count == 8)
        let m = try decoded.matrix("matrix")
        #expect(m.rows == 3 && m.columns == 4)
        #expect(bits(m.storage) == bits(specialFloats))
        #expect(try decoded.int64Vector("ids") == [0, 1, -1, .max, .min])
        #expect(try decoded.int32Vector("counts") == [0, 1, -1, .max])
        #expect(try decoded.floatVector("bias") == [0.25, -2, 3.5])
    }

    @Test(arguments: [(1, 1), (7, 3), (8, 8), (9, 33), (127, 5)])
    func randomMatricesRoundTripThroughAFile(rows: Int, columns: Int) throws {
        let directory = try makeTemporaryDirectory("safetensors-random")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/model.safetensors"
        let matrix = randomMatrix(rows: rows, columns: columns, seed: UInt64(rows * 1000 + columns))
        try SafeTensors(tensors: ["w": StoredTensor(matrix), "ids": StoredTensor((0..<Int64(rows)).map { $0 * 3 })])
            .write(to: path)
        let loaded = try SafeTensors.read(from: path, checksum: .required)
        #expect(bits(try loaded.matrix("w").storage) == bits(matrix.storage))
        #expect(try loaded.int64Vector("ids") == (0..<Int64(rows)).map { $0 * 3 })
        #expect(loaded.source == path)
        #expect(listing(directory) == ["model.safetensors"])
    }

    @Test func fileLayoutFollowsTheFormat() throws {
        let tensors = Self.referenceTensors()
        let data = [UInt8](SafeTensors(tensors: tensors).encoded())
        let length = (0..<8).reduce(0) { $0 | Int(data[$1]) << (8 * $1) }
        #expect(length % 8 == 0)
        #expect(data[8] == UInt8(ascii: "{"))
        let expectedData = tensors.values.reduce(0) { $0 + $1.byteCount }
        #expect(data.count == 8 + length + expectedData)
        let header = try JSONSerialization.jsonObject(with: Data(data[8..<(8 + length)])) as? [String: Any]
        let ids = try #require(header?["ids"] as? [String: Any])
        #expect(ids["dtype"] as? String == "I64")
        #expect(ids["shape"] as? [Int] == [5])
        // Tensors are stored in name order: bias(12) counts(16) empty(0) ids(40) matrix(48).
        #expect(ids["data_offsets"] as? [Int] == [28, 68])
        // Raw little-endian data: bias starts the data section.
        let bias = data[(8 + length)..<(8 + length + 4)]
        #expect(Array(bias) == [0x00, 0x00, 0x80, 0x3E])  // 0.25f = 0x3E800000
        let metadata = try #require(header?["__metadata__"] as? [String: String])
        let crc = CRC32.checksum(Array(data[(8 + length)...]))
        #expect(metadata[SafeTensors.checksumKey] == CRC32.hex(crc))
    }

    /// Written by Python's `safetensors.numpy.save_file` (`check_safetensors.py write`): tensors in
    /// its own order (I64 before F32 before I32), metadata {"source": "python"}, no checksum.
    static let pythonFixture = """
        4AAAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJzb3VyY2UiOiJweXRob24ifSwiaXRlbV9pZHMiOnsiZHR5cGUiOiJJNjQiLCJzaGFwZSI6WzNd\
        LCJkYXRhX29mZnNldHMiOlswLDI0XX0sIndlaWdodHMiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzIsM10sImRhdGFfb2Zmc2V0cyI6WzI0\
        LDQ4XX0sImZsYWdzIjp7ImR0eXBlIjoiSTMyIiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbNDgsNTZdfX0gICAgIAcAAAAAAAAA/f//\
        //////8AAAAAAAEAAAAAgD8AACDAAAAAPgAAwH8AAACAAACAfwEAAAD+////
        """

    @Test func readsAFileWrittenByPythonSafetensors() throws {
        let data = try #require(Data(base64Encoded: Self.pythonFixture))
        let file = try SafeTensors.decode(data, file: "python.safetensors")
        #expect(file.metadata == ["source": "python"])
        let weights = try file.matrix("weights")
        #expect(weights.rows == 2 && weights.columns == 3)
        #expect(bits(weights.storage) == bits([1.0, -2.5, 0.125, .nan, -0.0, .infinity]))
        #expect(try file.int64Vector("item_ids") == [7, -3, 1 << 40])
        #expect(try file.int32Vector("flags") == [1, -2])
        #expect(throws: PersistenceError.missingChecksum(file: "python.safetensors")) {
            try SafeTensors.decode(data, file: "python.safetensors", checksum: .required)
        }
    }

    @Test func typedAccessorsNameTheFileAndTensor() throws {
        let file = try SafeTensors.decode(SafeTensors(tensors: Self.referenceTensors()).encoded(), file: "m.safetensors")
        #expect(throws: PersistenceError.missingTensor(file: "m.safetensors", name: "nope")) { try file.matrix("nope") }
        #expect(throws: PersistenceError.unexpectedTensor(file: "m.safetensors", name: "ids",
                                                          expected: "an F32 matrix", found: "I64 [5]")) {
            try file.matrix("ids")
        }
        let error = #expect(throws: PersistenceError.self) { try file.int32Vector("matrix") }
        #expect(error?.description == "m.safetensors: tensor \"matrix\": expected a 1-D I32 tensor, found F32 [3, 4]")
    }

    @Test func leavesAFileForThePythonCheckWhenAsked() throws {
        guard let directory = referenceOutputDirectory() else { return }
        let path = directory + "/swift.safetensors"
        try SafeTensors(tensors: Self.referenceTensors(), metadata: Self.referenceMetadata).write(to: path)
        #expect(FileManager.default.fileExists(atPath: path))
    }
}

@Suite struct SafeTensorsChecksumTests {
    @Test func crc32MatchesZlib() {
        // Values from Python's zlib.crc32 (the standard check value for "123456789" is cbf43926).
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        #expect(CRC32.hex(CRC32.checksum((0..<1000).map { UInt8($0 % 251) })) == "721746a6")
    }

    @Test func incrementalUpdatesEqualOneShot() {
        let bytes = (0..<1000).map { UInt8($0 % 251) }
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            var crc = CRC32()
            bytes[..<split].withUnsafeBytes { crc.update($0) }
            bytes[split...].withUnsafeBytes { crc.update($0) }
            #expect(crc.value == 0x7217_46A6, "split at \(split)")
        }
    }
}
