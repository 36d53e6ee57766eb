import Foundation
import TowerCore

/// NumPy `.npy` files (format version 1.0), byte-identical to what `numpy.save` writes.
///
/// Layout: the magic `\x93NUMPY`, version bytes `1 0`, a little-endian UInt16 header length, then
/// the header, a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (rows, columns), }`, padded with spaces (NumPy
/// reserves room for the first axis to grow to 21 digits) and a final newline so that the data
/// starts at a multiple of 64 bytes; then the raw little-endian row-major data.
/// dtypes: `<f4` (Float), `<i8` (Int64), `<i4` (Int32). `np.load` reads the result directly, and
/// FAISS takes the float matrices as they are.
public enum Npy {
    /// The 10-byte preamble plus header is padded to a multiple of this.
    public static let alignment = 64

    /// The complete `.npy` bytes of `tensor` (any rank, C order).
    public static func encode(_ tensor: StoredTensor) -> Data {
        var data = Data(header(shape: tensor.shape, dtype: tensor.dtype))
        tensor.withLittleEndianBytes { data.append(contentsOf: $0) }
        return data
    }

    /// The `.npy` bytes of a `[rows, columns]` float32 matrix.
    public static func encode(_ matrix: Matrix) -> Data { encode(StoredTensor(matrix)) }

    /// Writes `tensor` to `path` atomically.
    /// - Throws: ``PersistenceError/fileSystem(path:operation:reason:)``.
    public static func write(_ tensor: StoredTensor, to path: String) throws {
        let head = header(shape: tensor.shape, dtype: tensor.dtype)
        try AtomicFile.write(to: path) { writer in
            try writer.write(head)
            try tensor.withLittleEndianBytes { try writer.write($0) }
        }
    }

    /// Writes a `[rows, columns]` float32 matrix (`<f4`) to `path` atomically.
    public static func write(_ matrix: Matrix, to path: String) throws { try write(StoredTensor(matrix), to: path) }
    /// Writes a 1-D `<i8` array to `path` atomically.
    public static func write(_ values: [Int64], to path: String) throws { try write(StoredTensor(values), to: path) }
    /// Writes a 1-D `<i4` array to `path` atomically.
    public static func write(_ values: [Int32], to path: String) throws { try write(StoredTensor(values), to: path) }
    /// Writes a 1-D `<f4` array to `path` atomically.
    public static func write(_ values: [Float], to path: String) throws { try write(StoredTensor(values), to: path) }

    /// Magic, version, length and padded header for an array of `shape` and `dtype`.
    static func header(shape: [Int], dtype: StoredTensor.DType) -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dict = "{'descr': '\(descriptor(dtype))', 'fortran_order': False, 'shape': \(shapeText), }"
        // Room for the first axis to grow in place, exactly as numpy.save reserves it.
        if let first = shape.first { dict += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        let textLength = dict.utf8.count + 1  // + the final newline
        let padding = alignment - (10 + textLength) % alignment
        let total = textLength + padding
        precondition(total <= Int(UInt16.max), "Npy: header of \(total) bytes does not fit format 1.0")
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        bytes.append(UInt8(total & 0xFF))
        bytes.append(UInt8(total >> 8))
        bytes.append(contentsOf: dict.utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    static func descriptor(_ dtype: StoredTensor.DType) -> String {
        switch dtype {
        case .float32: return "<f4"
        case .int64: return "<i8"
        case .int32: return "<i4"
        }
    }

    // MARK: Reading

    /// Reads the `.npy` file at `path`.
    /// - Throws: ``PersistenceError`` (`fileSystem`, and the cases of ``decode(_:file:)``).
    public static func read(from path: String) throws -> StoredTensor {
        try decode(try readFileBytes(path), file: path)
    }

    /// Parses `.npy` bytes (format versions 1.0, 2.0 and 3.0; dtypes `<f4`, `<i8`, `<i4`; C order).
    /// - Throws: ``PersistenceError/tooShort(file:size:minimum:)``,
    ///   ``PersistenceError/foreignFile(file:expectedFormat:reason:)`` (no NumPy magic),
    ///   ``PersistenceError/truncated(file:section:expected:found:)``,
    ///   ``PersistenceError/invalidNpy(file:reason:)`` (bad header, unsupported dtype or order),
    ///   ``PersistenceError/trailingData(file:covered:found:)``.
    public static func decode(_ data: Data, file: String = "<memory>") throws -> StoredTensor {
        let bytes = [UInt8](data)
        guard bytes.count >= 10 else { throw PersistenceError.tooShort(file: file, size: bytes.count, minimum: 10) }
        guard bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            let known = sniffFormat(data).map { "; it looks like \($0)" } ?? ""
            throw PersistenceError.foreignFile(file: file, expectedFormat: ".npy",
                                               reason: "no \\x93NUMPY magic (first bytes \(hexPrefix(data))\(known))")
        }
        let major = bytes[6]
        let headerStart: Int
        let headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw PersistenceError.tooShort(file: file, size: bytes.count, minimum: 12) }
            headerStart = 12
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        default:
            throw PersistenceError.invalidNpy(file: file, reason: "format version \(major).\(bytes[7]) (expected 1.0, 2.0 or 3.0)")
        }
        guard headerStart + headerLength <= bytes.count else {
            throw PersistenceError.truncated(file: file, section: "header", expected: headerLength,
                                             found: bytes.count - headerStart)
        }
        let text = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        let dict: [String: PythonLiteral]
        do { dict = try PythonLiteral.parseDictionary(text) } catch {
            throw PersistenceError.invalidNpy(file: file, reason: "header \(text.trimmingCharacters(in: .whitespacesAndNewlines)): \(error.message)")
        }
        guard case let .string(descr)? = dict["descr"] else {
            throw PersistenceError.invalidNpy(file: file, reason: "header has no string 'descr'")
        }
        guard let dtype = StoredTensor.DType.allCases.first(where: { descriptor($0) == descr }) else {
            throw PersistenceError.invalidNpy(file: file, reason: "dtype '\(descr)' is not supported (expected '<f4', '<i8' or '<i4')")
        }
        guard case let .bool(fortran)? = dict["fortran_order"] else {
            throw PersistenceError.invalidNpy(file: file, reason: "header has no boolean 'fortran_order'")
        }
        guard !fortran else {
            throw PersistenceError.invalidNpy(file: file, reason: "fortran_order True is not supported (save a C-ordered array)")
        }
        guard case let .tuple(items)? = dict["shape"] else {
            throw PersistenceError.invalidNpy(file: file, reason: "header has no tuple 'shape'")
        }
        var shape: [Int] = []
        var count = 1
        for item in items {
            guard case let .integer(d) = item, d >= 0 else {
                throw PersistenceError.invalidNpy(file: file, reason: "shape entries must be non-negative integers")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw PersistenceError.invalidNpy(file: file, reason: "shape \(shape + [d]) overflows") }
            shape.append(d)
            count = product
        }
        let dataStart = headerStart + headerLength
        let expected = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !expected.overflow else { throw PersistenceError.invalidNpy(file: file, reason: "shape \(shape) overflows") }
        let found = bytes.count - dataStart
        if found < expected.partialValue {
            throw PersistenceError.truncated(file: file, section: "array data", expected: expected.partialValue, found: found)
        }
        if found > expected.partialValue {
            throw PersistenceError.trailingData(file: file, covered: expected.partialValue, found: found)
        }
        let values = bytes.withUnsafeBytes { raw in
            StoredTensor.decodeValues(dtype, count: count, from: UnsafeRawBufferPointer(rebasing: raw[dataStart...]))
        }
        return StoredTensor(shape: shape, values: values)
    }
}
