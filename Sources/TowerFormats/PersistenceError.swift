/// A checkpoint, tensor or model-directory file could not be written or read.
///
/// Every case names the file (as the caller spelled its path) and says what was wrong, in the form
/// `<file>: <what> (expected <x>, found <y>)`.
public enum PersistenceError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file-system call failed (`operation` is e.g. "open", "write", "rename"; `reason` is strerror).
    case fileSystem(path: String, operation: String, reason: String)
    /// The file is shorter than the smallest valid file of its format (`size` bytes, `minimum` needed).
    case tooShort(file: String, size: Int, minimum: Int)
    /// The file ends early: its header announces `expected` bytes of `section`, only `found` are present.
    case truncated(file: String, section: String, expected: Int, found: Int)
    /// The file is not of the expected format at all (another format's magic, an absurd header length).
    case foreignFile(file: String, expectedFormat: String, reason: String)
    /// The header is not valid JSON, or lacks or mistypes a required field.
    case invalidHeader(file: String, reason: String)
    /// A tensor's dtype is not one this build reads (F32, I64, I32).
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// A tensor's shape times its element size disagrees with the byte span of its data.
    case shapeMismatch(file: String, tensor: String, shape: [Int], dtype: String, expectedBytes: Int, foundBytes: Int)
    /// A tensor's `data_offsets` are malformed, out of bounds, overlapping or leave a gap.
    case invalidOffsets(file: String, tensor: String, reason: String)
    /// The file holds `found` bytes of tensor data but its tensors cover only `covered`.
    case trailingData(file: String, covered: Int, found: Int)
    /// The checksum stored in the header does not match the data.
    case checksumMismatch(file: String, expected: String, computed: String)
    /// A checksum was required but the header carries none.
    case missingChecksum(file: String)
    /// A tensor the caller asked for is not in the file.
    case missingTensor(file: String, name: String)
    /// A tensor has another dtype or rank than the caller asked for.
    case unexpectedTensor(file: String, name: String, expected: String, found: String)
    /// A NumPy `.npy` header is malformed or describes an array this build does not read.
    case invalidNpy(file: String, reason: String)
    /// The directory is missing or is not a TwoTower model directory.
    case notAModelDirectory(path: String, reason: String)
    /// The model directory was written in another format version.
    case unsupportedFormatVersion(path: String, found: Int, supported: Int)
    /// A file listed in a model directory's manifest is absent.
    case missingFile(directory: String, file: String)
    /// A file in a model directory has another size or checksum than its manifest records.
    case corruptFile(file: String, reason: String)
    /// `config.json` could not be encoded or decoded, or holds values that do not fit together.
    case invalidConfig(file: String, reason: String)
    /// An F32 tensor holds NaN or an infinity (`value` is `nan`, `inf` or `-inf`; first at flat index `index`).
    case nonFiniteValue(file: String, tensor: String, index: Int, value: String)
    /// Writing would replace something that is not a TwoTower model directory.
    case refusingToReplace(path: String, reason: String)

    public var description: String {
        switch self {
        case let .fileSystem(path, operation, reason):
            return "\(path): \(operation) failed: \(reason)"
        case let .tooShort(file, size, minimum):
            return size == 0
                ? "\(file): empty file (expected at least \(minimum) bytes)"
                : "\(file): too short: \(size) bytes (expected at least \(minimum))"
        case let .truncated(file, section, expected, found):
            return "\(file): truncated: header says \(expected) bytes of \(section), file has \(found)"
        case let .foreignFile(file, format, reason):
            return "\(file): not a \(format) file: \(reason)"
        case let .invalidHeader(file, reason):
            return "\(file): invalid header: \(reason)"
        case let .unsupportedDType(file, tensor, dtype):
            return "\(file): tensor \"\(tensor)\": unsupported dtype \"\(dtype)\" (expected F32, I64 or I32)"
        case let .shapeMismatch(file, tensor, shape, dtype, expected, found):
            return "\(file): tensor \"\(tensor)\": shape \(shape) of \(dtype) needs \(expected) bytes, "
                + "data_offsets span \(found)"
        case let .invalidOffsets(file, tensor, reason):
            return "\(file): tensor \"\(tensor)\": invalid data_offsets: \(reason)"
        case let .trailingData(file, covered, found):
            return "\(file): \(found) bytes of tensor data, but the tensors cover only \(covered)"
        case let .checksumMismatch(file, expected, computed):
            return "\(file): checksum mismatch: header says \(expected), data has \(computed) (file corrupted)"
        case let .missingChecksum(file):
            return "\(file): no checksum in the header's __metadata__ (expected key \"\(SafeTensors.checksumKey)\")"
        case let .missingTensor(file, name):
            return "\(file): no tensor named \"\(name)\""
        case let .unexpectedTensor(file, name, expected, found):
            return "\(file): tensor \"\(name)\": expected \(expected), found \(found)"
        case let .invalidNpy(file, reason):
            return "\(file): invalid .npy: \(reason)"
        case let .notAModelDirectory(path, reason):
            return "\(path): not a TwoTower model directory: \(reason)"
        case let .unsupportedFormatVersion(path, found, supported):
            let age = found > supported ? "a newer" : "an older"
            return "\(path): written by \(age) TwoTower (format version \(found); this build reads version \(supported))"
        case let .missingFile(directory, file):
            return "\(directory): missing \(file) (listed in config.json)"
        case let .corruptFile(file, reason):
            return "\(file): corrupted: \(reason)"
        case let .invalidConfig(file, reason):
            return "\(file): invalid config: \(reason)"
        case let .nonFiniteValue(file, tensor, index, value):
            return "\(file): tensor \"\(tensor)\": holds \(value) at index \(index) (expected finite weights; the model "
                + "diverged before it was saved, or the file was edited)"
        case let .refusingToReplace(path, reason):
            return "\(path): refusing to replace: \(reason)"
        }
    }
}
