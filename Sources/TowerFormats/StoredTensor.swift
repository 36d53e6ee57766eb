import TowerCore

/// A tensor as stored in a file: a shape and row-major (C-order) values of one element type.
///
/// A matrix is stored with shape `[rows, columns]`, a vector with shape `[count]`. Equality
/// compares values with `==`, so a tensor holding NaN is not equal to itself; compare
/// bit patterns when NaNs matter.
public struct StoredTensor: Sendable, Equatable {
    /// Element type, spelled as in the safetensors header.
    public enum DType: String, Sendable, CaseIterable {
        /// 32-bit IEEE float, little-endian.
        case float32 = "F32"
        /// 64-bit signed integer, little-endian.
        case int64 = "I64"
        /// 32-bit signed integer, little-endian.
        case int32 = "I32"

        /// Bytes per element.
        public var byteSize: Int {
            switch self {
            case .float32, .int32: return 4
            case .int64: return 8
            }
        }
    }

    /// The values, row-major.
    public enum Values: Sendable, Equatable {
        case float32([Float])
        case int64([Int64])
        case int32([Int32])

        /// Number of elements.
        public var count: Int {
            switch self {
            case let .float32(v): return v.count
            case let .int64(v): return v.count
            case let .int32(v): return v.count
            }
        }
    }

    /// Dimensions, outermost first; the product equals `values.count` (`[]` is a scalar).
    public let shape: [Int]
    /// Row-major values.
    public let values: Values

    /// A tensor of the given shape.
    /// - Precondition: no negative dimension, and the product of `shape` equals `values.count`.
    public init(shape: [Int], values: Values) {
        precondition(shape.allSatisfy { $0 >= 0 }, "StoredTensor: negative dimension in shape \(shape)")
        let product = shape.reduce(1, *)
        precondition(product == values.count,
                     "StoredTensor: shape \(shape) holds \(product) elements, \(values.count) values given")
        self.shape = shape
        self.values = values
    }

    /// A `[rows, columns]` F32 tensor holding `matrix` (row-major).
    public init(_ matrix: Matrix) {
        self.init(shape: [matrix.rows, matrix.columns], values: .float32(matrix.storage))
    }

    /// A 1-D F32 tensor `[values.count]`.
    public init(_ values: [Float]) { self.init(shape: [values.count], values: .float32(values)) }
    /// A 1-D I64 tensor `[values.count]`.
    public init(_ values: [Int64]) { self.init(shape: [values.count], values: .int64(values)) }
    /// A 1-D I32 tensor `[values.count]`.
    public init(_ values: [Int32]) { self.init(shape: [values.count], values: .int32(values)) }

    /// The element type.
    public var dtype: DType {
        switch values {
        case .float32: return .float32
        case .int64: return .int64
        case .int32: return .int32
        }
    }

    /// Size of the raw data in bytes.
    public var byteCount: Int { values.count * dtype.byteSize }

    /// A short description such as `F32 [3, 4]`, used in error messages.
    public var summary: String { "\(dtype.rawValue) \(shape)" }

    /// The tensor as a matrix if it is a 2-D F32 tensor, else nil.
    public var matrix: Matrix? {
        guard shape.count == 2, case let .float32(v) = values else { return nil }
        return Matrix(rows: shape[0], columns: shape[1], values: v)
    }

    /// The values if this is a 1-D F32 tensor, else nil.
    public var floatVector: [Float]? {
        guard shape.count == 1, case let .float32(v) = values else { return nil }
        return v
    }

    /// The values if this is a 1-D I64 tensor, else nil.
    public var int64Vector: [Int64]? {
        guard shape.count == 1, case let .int64(v) = values else { return nil }
        return v
    }

    /// The values if this is a 1-D I32 tensor, else nil.
    public var int32Vector: [Int32]? {
        guard shape.count == 1, case let .int32(v) = values else { return nil }
        return v
    }

    /// Calls `body` with the little-endian bytes of the values.
    func withLittleEndianBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        #if _endian(little)
        switch values {
        case let .float32(v): return try v.withUnsafeBytes(body)
        case let .int64(v): return try v.withUnsafeBytes(body)
        case let .int32(v): return try v.withUnsafeBytes(body)
        }
        #else
        switch values {
        case let .float32(v): return try v.map { $0.bitPattern.littleEndian }.withUnsafeBytes(body)
        case let .int64(v): return try v.map { $0.littleEndian }.withUnsafeBytes(body)
        case let .int32(v): return try v.map { $0.littleEndian }.withUnsafeBytes(body)
        }
        #endif
    }

    /// Values of `dtype` decoded from `count` little-endian elements at `bytes`.
    static func decodeValues(_ dtype: DType, count: Int, from bytes: UnsafeRawBufferPointer) -> Values {
        precondition(bytes.count == count * dtype.byteSize,
                     "StoredTensor: \(bytes.count) bytes for \(count) \(dtype.rawValue) elements")
        switch dtype {
        case .float32:
            return .float32([Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                copyLittleEndian(bytes, into: UnsafeMutableRawBufferPointer(buffer), elementSize: 4)
                initialized = count
            })
        case .int64:
            return .int64([Int64](unsafeUninitializedCapacity: count) { buffer, initialized in
                copyLittleEndian(bytes, into: UnsafeMutableRawBufferPointer(buffer), elementSize: 8)
                initialized = count
            })
        case .int32:
            return .int32([Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
                copyLittleEndian(bytes, into: UnsafeMutableRawBufferPointer(buffer), elementSize: 4)
                initialized = count
            })
        }
    }
}

/// Copies little-endian elements into native ones (a plain copy on little-endian hosts; the source
/// need not be aligned).
private func copyLittleEndian(_ source: UnsafeRawBufferPointer, into target: UnsafeMutableRawBufferPointer,
                              elementSize: Int) {
    guard source.count > 0 else { return }
    target.baseAddress!.copyMemory(from: source.baseAddress!, byteCount: source.count)
    #if _endian(big)
    let bytes = target.bindMemory(to: UInt8.self)
    var i = 0
    while i < bytes.count {
        var lo = i, hi = i + elementSize - 1
        while lo < hi { bytes.swapAt(lo, hi); lo += 1; hi -= 1 }
        i += elementSize
    }
    #endif
}
