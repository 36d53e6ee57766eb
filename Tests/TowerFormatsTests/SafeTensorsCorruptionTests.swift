import Foundation
import Testing
import TowerCore
@testable import TowerFormats

@Suite struct SafeTensorsCorruptionTests {
    let name = "model.safetensors"

    /// A valid file: one F32 [2, 3] tensor and one I64 [2] tensor.
    func validFile() -> [UInt8] {
        [UInt8](SafeTensors(tensors: ["w": StoredTensor(Matrix(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6])),
                                      "ids": StoredTensor([Int64(10), 20])]).encoded())
    }

    func headerLength(_ bytes: [UInt8]) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) } }

    /// A file with the given header text (padded) and data bytes.
    func file(header: String, data: [UInt8] = []) -> Data {
        var text = Array(header.utf8)
        text += repeatElement(UInt8(ascii: " "), count: (8 - text.count % 8) % 8)
        var bytes = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(text.count) >> (8 * UInt64($0))) }
        bytes += text + data
        return Data(bytes)
    }

    func decodeError(_ data: Data, checksum: SafeTensors.ChecksumPolicy = .ifPresent) -> PersistenceError? {
        do {
            _ = try SafeTensors.decode(data, file: name, checksum: checksum)
            return nil
        } catch let error as PersistenceError {
            return error
        } catch {
            return nil
        }
    }

    @Test func emptyAndTinyFiles() {
        #expect(decodeError(Data()) == .tooShort(file: name, size: 0, minimum: 8))
        #expect(decodeError(Data()).map(\.description) == "model.safetensors: empty file (expected at least 8 bytes)")
        #expect(decodeError(Data([1, 2, 3, 4, 5])) == .tooShort(file: name, size: 5, minimum: 8))
    }

    @Test(arguments: [0.1, 0.5, 0.99])
    func truncatedInsideTheHeader(fraction: Double) {
        let bytes = validFile()
        let n = headerLength(bytes)
        let cut = 8 + Int(Double(n) * fraction)
        #expect(decodeError(Data(bytes[..<cut])) == .truncated(file: name, section: "header", expected: n, found: cut - 8))
    }

    @Test(arguments: [0, 1, 20, 39])
    func truncatedInsideTheData(kept: Int) {
        let bytes = validFile()
        let n = headerLength(bytes)
        #expect(bytes.count == 8 + n + 40)
        let error = decodeError(Data(bytes[..<(8 + n + kept)]))
        #expect(error == .truncated(file: name, section: "tensor data", expected: 40, found: kept))
        #expect(error?.description == "model.safetensors: truncated: header says 40 bytes of tensor data, file has \(kept)")
    }

    @Test func trailingBytesAreAnError() {
        let bytes = validFile() + [0, 0, 0, 0]
        #expect(decodeError(Data(bytes)) == .trailingData(file: name, covered: 40, found: 44))
    }

    @Test func flippedDataByteFailsTheChecksum() throws {
        for position in [0, 17, 39] {
            var bytes = validFile()
            let n = headerLength(bytes)
            bytes[8 + n + position] ^= 0x01
            let error = try #require(decodeError(Data(bytes)))
            guard case let .checksumMismatch(file, expected, computed) = error else {
                Issue.record("expected a checksum mismatch, got \(error)")
                continue
            }
            #expect(file == name && expected != computed)
            #expect(error.description.contains("checksum mismatch"))
            // Ignoring the checksum still reads the (corrupted) file.
            #expect(decodeError(Data(bytes), checksum: .ignore) == nil)
        }
    }

    @Test func badJSON() throws {
        let error = try #require(decodeError(file(header: "{\"w\": {\"dtype\": \"F32\", ")))
        guard case let .invalidHeader(file, reason) = error else { Issue.record("got \(error)"); return }
        #expect(file == name && reason.hasPrefix("not valid JSON"))
        #expect(decodeError(self.file(header: "{}")) == nil)  // no tensors is valid
    }

    @Test func headerMustBeAnObjectWithTypedFields() {
        let cases: [(String, String)] = [
            ("{\"w\": 3}", "tensor \"w\": expected an object, found an integer"),
            ("{\"w\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", "tensor \"w\": missing \"dtype\""),
            ("{\"w\": {\"dtype\": 5, \"shape\": [1], \"data_offsets\": [0, 4]}}", "tensor \"w\": \"dtype\": expected a string, found an integer"),
            ("{\"w\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", "tensor \"w\": missing \"shape\""),
            ("{\"w\": {\"dtype\": \"F32\", \"shape\": [1]}}", "tensor \"w\": missing \"data_offsets\""),
            ("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}",
             "tensor \"w\": \"data_offsets\": expected [begin, end], found 1 numbers"),
            ("{\"__metadata__\": {\"k\": 1}}", "\"__metadata__\".\"k\": expected a string, found an integer"),
            ("{\"__metadata__\": [1]}", "\"__metadata__\": expected an object of strings, found an array"),
        ]
        for (header, reason) in cases {
            #expect(decodeError(file(header: header, data: [0, 0, 0, 0])) == .invalidHeader(file: name, reason: reason), "\(header)")
        }
        let negative = decodeError(file(header: "{\"w\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}"))
        if case .invalidHeader = negative {} else { Issue.record("negative dimension: got \(String(describing: negative))") }
        let array = decodeError(file(header: "{}").replacingBytes(at: 8, with: Array("[]".utf8)))
        #expect(array != nil)
    }

    @Test func unknownDType() {
        for dtype in ["F16", "BF16", "Q4", "f32"] {
            let data = file(header: "{\"w\": {\"dtype\": \"\(dtype)\", \"shape\": [2], \"data_offsets\": [0, 4]}}", data: [0, 0, 0, 0])
            #expect(decodeError(data) == .unsupportedDType(file: name, tensor: "w", dtype: dtype))
        }
    }

    @Test func shapeTimesDTypeMustMatchTheOffsets() {
        let data = file(header: "{\"w\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [0, 20]}}",
                        data: [UInt8](repeating: 0, count: 20))
        let error = decodeError(data)
        #expect(error == .shapeMismatch(file: name, tensor: "w", shape: [2, 3], dtype: "F32", expectedBytes: 24, foundBytes: 20))
        #expect(error?.description == "model.safetensors: tensor \"w\": shape [2, 3] of F32 needs 24 bytes, data_offsets span 20")
        let huge = file(header: "{\"w\": {\"dtype\": \"I64\", \"shape\": [4611686018427387904, 4], \"data_offsets\": [0, 8]}}")
        if case .shapeMismatch = decodeError(huge) {} else { Issue.record("overflowing shape accepted") }
    }

    @Test func offsetsMustTileTheDataSection() {
        let overlap = file(header: """
            {"a": {"dtype": "I32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "I32", "shape": [2], "data_offsets": [4, 12]}}
            """, data: [UInt8](repeating: 0, count: 12))
        #expect(decodeError(overlap) == .invalidOffsets(file: name, tensor: "b", reason: "[4, 12] overlaps the previous tensor, which ends at 8"))
        let gap = file(header: """
            {"a": {"dtype": "I32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "I32", "shape": [1], "data_offsets": [8, 12]}}
            """, data: [UInt8](repeating: 0, count: 12))
        #expect(decodeError(gap) == .invalidOffsets(file: name, tensor: "b", reason: "[8, 12] leaves a gap after byte 4 (expected to begin at 4)"))
        let reversed = file(header: "{\"a\": {\"dtype\": \"I32\", \"shape\": [1], \"data_offsets\": [8, 4]}}")
        #expect(decodeError(reversed) == .invalidOffsets(file: name, tensor: "a", reason: "begin 8 is after end 4"))
        let beyond = file(header: "{\"a\": {\"dtype\": \"I32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", data: [1, 2])
        #expect(decodeError(beyond) == .truncated(file: name, section: "tensor data", expected: 4, found: 2))
    }

    @Test func foreignFilesAreRecognised() throws {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D] + Array("IHDR".utf8) + [UInt8](repeating: 0, count: 17))
        let error = try #require(decodeError(png))
        guard case let .foreignFile(file, format, reason) = error else { Issue.record("got \(error)"); return }
        #expect(file == name && format == "safetensors")
        #expect(reason.contains("PNG") && reason.contains("89 50 4e 47"))
        #expect(error.description.hasPrefix("model.safetensors: not a safetensors file: header length"))

        let npy = Npy.encode(Matrix(rows: 2, columns: 2))
        let npyError = try #require(decodeError(npy))
        #expect(npyError.description.contains("NumPy"))

        let text = Data("hello, this is a text file and not a model\n".utf8)
        if case .foreignFile = try #require(decodeError(text)) {} else { Issue.record("text file not reported as foreign") }

        // A small length whose header does not start with '{'.
        let jsonArray = self.file(header: "{}").replacingBytes(at: 8, with: Array("[]".utf8))
        if case .foreignFile = try #require(decodeError(jsonArray)) {} else { Issue.record("'[' header not foreign") }
    }

    @Test func fileSystemErrorsNameThePath() throws {
        let directory = try makeTemporaryDirectory("safetensors-missing")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: PersistenceError.fileSystem(path: directory + "/none.safetensors", operation: "open",
                                                     reason: "No such file or directory")) {
            try SafeTensors.read(from: directory + "/none.safetensors")
        }
        #expect(throws: PersistenceError.fileSystem(path: directory, operation: "read", reason: "is a directory")) {
            try SafeTensors.read(from: directory)
        }
    }
}

extension Data {
    func replacingBytes(at offset: Int, with bytes: [UInt8]) -> Data {
        var copy = self
        copy.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        return copy
    }
}
