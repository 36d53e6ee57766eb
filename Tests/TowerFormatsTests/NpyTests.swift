import Foundation
import Testing
import TowerCore
@testable import TowerFormats

@Suite struct NpyTests {
    /// The arrays `Reference/check_npy.py read` expects.
    static func referenceArrays() -> [String: StoredTensor] {
        [
            "matrix.npy": StoredTensor(Matrix(rows: 3, columns: 4, values: specialFloats)),
            "ids.npy": StoredTensor([Int64(0), 1, -1, .max, .min]),
            "counts.npy": StoredTensor([Int32(0), 1, -1, .max]),
            "empty.npy": StoredTensor(Matrix(rows: 0, columns: 4)),
            "wide.npy": StoredTensor(Matrix(rows: 12345, columns: 2, values: (0..<24690).map(Float.init))),
        ]
    }

    /// `numpy.save` headers (from `check_npy.py headers`): the dict text, then spaces up to a
    /// total of 128 bytes including the 10-byte preamble, then a newline.
    @Test(arguments: [
        ([3, 4], StoredTensor.DType.float32, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }"),
        ([5], .int64, "{'descr': '<i8', 'fortran_order': False, 'shape': (5,), }"),
        ([0], .int32, "{'descr': '<i4', 'fortran_order': False, 'shape': (0,), }"),
        ([12345, 2], .float32, "{'descr': '<f4', 'fortran_order': False, 'shape': (12345, 2), }"),
        ([], .float32, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }"),
    ])
    func headerIsByteIdenticalToNumPy(shape: [Int], dtype: StoredTensor.DType, dict: String) {
        let header = Npy.header(shape: shape, dtype: dtype)
        #expect(header.count == 128)
        #expect(Array(header[0..<8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
        #expect(Int(header[8]) | Int(header[9]) << 8 == 118)
        let text = String(decoding: header[10...], as: UTF8.self)
        #expect(text == dict.padding(toLength: 117, withPad: " ", startingAt: 0) + "\n")
    }

    @Test func headersAreAlignedAndParseable() throws {
        for shape in [[1], [7], [1, 1], [33, 64], [1_000_000, 64], [123_456_789_012, 3], [2, 3, 4]] {
            let header = Npy.header(shape: shape, dtype: .float32)
            #expect(header.count % 64 == 0, "shape \(shape)")
            #expect(header.last == UInt8(ascii: "\n"))
            let count = shape.reduce(1, *)
            if count < 10_000 {
                let tensor = try Npy.decode(Data(header) + Data(count: count * 4), file: "a.npy")
                #expect(tensor.shape == shape)
            }
        }
    }

    @Test func roundTripsAreBitIdentical() throws {
        let directory = try makeTemporaryDirectory("npy")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, tensor) in Self.referenceArrays() {
            try Npy.write(tensor, to: directory + "/" + name)
            let loaded = try Npy.read(from: directory + "/" + name)
            #expect(sameBits(loaded, tensor), "\(name)")
        }
        try Npy.write(Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4]), to: directory + "/m.npy")
        try Npy.write([Int64(5), 6], to: directory + "/i64.npy")
        try Npy.write([Int32(7)], to: directory + "/i32.npy")
        try Npy.write([Float(0.5)], to: directory + "/f.npy")
        #expect(try Npy.read(from: directory + "/m.npy").matrix == Matrix(rows: 2, columns: 2, values: [1, 2, 3, 4]))
        #expect(try Npy.read(from: directory + "/i64.npy").int64Vector == [5, 6])
        #expect(try Npy.read(from: directory + "/i32.npy").int32Vector == [7])
        #expect(try Npy.read(from: directory + "/f.npy").floatVector == [0.5])
        #expect(!listing(directory).contains { $0.hasPrefix(".") }, "temporary files left: \(listing(directory))")
        if let out = referenceOutputDirectory() {
            for (name, tensor) in Self.referenceArrays() { try Npy.write(tensor, to: out + "/" + name) }
        }
    }

    @Test func readsVersion2HeadersAndOldIntegerSpelling() throws {
        let dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2L,), }"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [2, 0]
        let text = Array((dict + "   \n").utf8)
        bytes += [UInt8(text.count), 0, 0, 0] + text + [1, 0, 0, 0, 2, 0, 0, 0]
        #expect(try Npy.decode(Data(bytes)).int32Vector == [1, 2])
    }

    func error(_ data: Data) -> PersistenceError? {
        do { _ = try Npy.decode(data, file: "e.npy"); return nil } catch { return error as? PersistenceError }
    }

    /// A v1 file with the given header dict and data.
    func npy(_ dict: String, data: [UInt8] = []) -> Data {
        var text = Array(dict.utf8)
        text += repeatElement(UInt8(ascii: " "), count: 63 - (10 + text.count) % 64) + [UInt8(ascii: "\n")]
        return Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text + data)
    }

    @Test func corruptFilesAreTypedErrors() throws {
        let good = Npy.encode(Matrix(rows: 2, columns: 3))
        #expect(error(good.prefix(5)) == .tooShort(file: "e.npy", size: 5, minimum: 10))
        #expect(error(good.prefix(60)) == .truncated(file: "e.npy", section: "header", expected: 118, found: 50))
        #expect(error(good.prefix(128 + 10)) == .truncated(file: "e.npy", section: "array data", expected: 24, found: 10))
        #expect(error(good + Data([0])) == .trailingData(file: "e.npy", covered: 24, found: 25))
        let foreign = try #require(error(SafeTensors().encoded()))
        if case .foreignFile(_, ".npy", _) = foreign {} else { Issue.record("got \(foreign)") }
        #expect(error(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", data: [UInt8](repeating: 0, count: 8)))
                == .invalidNpy(file: "e.npy", reason: "dtype '<f8' is not supported (expected '<f4', '<i8' or '<i4')"))
        #expect(error(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }", data: [0, 0, 0, 0]))
                == .invalidNpy(file: "e.npy", reason: "fortran_order True is not supported (save a C-ordered array)"))
        let badDict = try #require(error(npy("{'descr': '<f4', 'shape': (1,) ")))
        if case .invalidNpy = badDict {} else { Issue.record("bad dict accepted") }
        let negative = try #require(error(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }")))
        if case .invalidNpy = negative {} else {
            Issue.record("negative shape accepted")
        }
    }
}
