import Foundation
import TowerTestSupport
@testable import TowerFormats

/// A fresh, created temporary directory.
func makeTemporaryDirectory(_ name: String) throws -> String {
    let path = temporaryDirectory(name)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Sorted entries of a directory.
func listing(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}

/// If `TWOTOWER_REFERENCE_OUT` is set, the directory where tests leave files for the Python checks.
func referenceOutputDirectory() -> String? {
    guard let path = ProcessInfo.processInfo.environment["TWOTOWER_REFERENCE_OUT"], !path.isEmpty else { return nil }
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The float values used by the Python cross-checks (NaN, ±inf, -0, the smallest subnormal, max).
let specialFloats: [Float] = [1.5, -0.0, .infinity, -.infinity,
                              .nan, Float(bitPattern: 1), .greatestFiniteMagnitude, -2.25,
                              0.1, 0.2, 0.3, 1.0]

/// Bit patterns, so NaN and -0 compare exactly.
func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

/// Whether two stored tensors have the same shape, dtype and value bits.
func sameBits(_ a: StoredTensor, _ b: StoredTensor) -> Bool {
    guard a.shape == b.shape else { return false }
    switch (a.values, b.values) {
    case let (.float32(x), .float32(y)): return bits(x) == bits(y)
    case let (.int64(x), .int64(y)): return x == y
    case let (.int32(x), .int32(y)): return x == y
    default: return false
    }
}
