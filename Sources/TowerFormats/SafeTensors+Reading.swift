import Foundation

extension SafeTensors {
    /// Reads and verifies the safetensors file at `path`.
    ///
    /// - Throws: ``PersistenceError`` naming `path`: `fileSystem` when it cannot be read, and every
    ///   case listed under ``decode(_:file:checksum:)``.
    public static func read(from path: String, checksum: ChecksumPolicy = .ifPresent) throws -> SafeTensors {
        try decode(try readFileBytes(path), file: path, checksum: checksum)
    }

    /// Parses and verifies safetensors bytes; `file` names them in errors.
    ///
    /// Checks, in order: size ≥ 8 (`tooShort`); header length ≤ 100 MB and starting with `{`
    /// (`foreignFile`, naming a recognised format such as PNG); header complete (`truncated`);
    /// valid JSON with `dtype`/`shape`/`data_offsets` per tensor and a string map for
    /// `__metadata__` (`invalidHeader`); known dtypes (`unsupportedDType`); shape × element size ==
    /// offset span (`shapeMismatch`); offsets contiguous from 0 without overlap (`invalidOffsets`);
    /// data present (`truncated`) and nothing after it (`trailingData`); checksum
    /// (`checksumMismatch`, `missingChecksum`).
    public static func decode(_ data: Data, file: String = "<memory>",
                              checksum: ChecksumPolicy = .ifPresent) throws -> SafeTensors {
        let format = "safetensors"
        guard data.count >= 8 else { throw PersistenceError.tooShort(file: file, size: data.count, minimum: 8) }
        let base = data.startIndex
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(data[base + i]) << (8 * UInt64(i)) }
        let available = data.count - 8
        guard length <= UInt64(maximumHeaderLength) else {
            let known = sniffFormat(data).map { "; it looks like \($0)" } ?? ""
            throw PersistenceError.foreignFile(
                file: file, expectedFormat: format,
                reason: "header length \(length) exceeds the \(maximumHeaderLength)-byte limit "
                    + "(first bytes \(hexPrefix(data))\(known))")
        }
        let headerLength = Int(length)
        if headerLength > 0, available > 0, data[base + 8] != UInt8(ascii: "{") {
            let known = sniffFormat(data).map { "; it looks like \($0)" } ?? ""
            throw PersistenceError.foreignFile(
                file: file, expectedFormat: format,
                reason: "the header does not start with '{' (first bytes \(hexPrefix(data))\(known))")
        }
        guard headerLength <= available else {
            throw PersistenceError.truncated(file: file, section: "header", expected: headerLength, found: available)
        }
        guard headerLength >= 2 else {
            throw PersistenceError.invalidHeader(file: file, reason: "header length \(headerLength) is too small for a JSON object")
        }

        let headerData = data.subdata(in: (base + 8)..<(base + 8 + headerLength))
        let root: JSONValue
        do { root = try JSONValue.parse(headerData) } catch {
            throw PersistenceError.invalidHeader(file: file, reason: "not valid JSON: \(error.message)")
        }
        guard case let .object(entries) = root else {
            throw PersistenceError.invalidHeader(file: file, reason: "expected a JSON object, found \(root.kind)")
        }

        var metadata: [String: String] = [:]
        var layout: [(name: String, dtype: StoredTensor.DType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in entries {
            if name == "__metadata__" {
                metadata = try parseMetadata(value, file: file)
                continue
            }
            let info = try parseTensorInfo(name: name, value, file: file)
            layout.append((name, info.dtype, info.shape, info.begin, info.end))
        }

        // Offsets must tile [0, covered) exactly, in offset order.
        layout.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        for entry in layout {
            if entry.begin < covered {
                throw PersistenceError.invalidOffsets(
                    file: file, tensor: entry.name,
                    reason: "[\(entry.begin), \(entry.end)] overlaps the previous tensor, which ends at \(covered)")
            }
            if entry.begin > covered {
                throw PersistenceError.invalidOffsets(
                    file: file, tensor: entry.name,
                    reason: "[\(entry.begin), \(entry.end)] leaves a gap after byte \(covered) (expected to begin at \(covered))")
            }
            covered = entry.end
        }
        let dataSize = available - headerLength
        if covered > dataSize {
            throw PersistenceError.truncated(file: file, section: "tensor data", expected: covered, found: dataSize)
        }
        if covered < dataSize {
            throw PersistenceError.trailingData(file: file, covered: covered, found: dataSize)
        }

        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> SafeTensors in
            let section = UnsafeRawBufferPointer(rebasing: raw[(8 + headerLength)...])
            if checksum != .ignore {
                if let stored = metadata[checksumKey] {
                    let computed = CRC32.hex(CRC32.checksum(section))
                    if stored.lowercased() != computed {
                        throw PersistenceError.checksumMismatch(file: file, expected: stored, computed: computed)
                    }
                } else if checksum == .required {
                    throw PersistenceError.missingChecksum(file: file)
                }
            }
            var tensors: [String: StoredTensor] = [:]
            tensors.reserveCapacity(layout.count)
            for entry in layout {
                let bytes = UnsafeRawBufferPointer(rebasing: section[entry.begin..<entry.end])
                let count = (entry.end - entry.begin) / entry.dtype.byteSize
                tensors[entry.name] = StoredTensor(
                    shape: entry.shape, values: StoredTensor.decodeValues(entry.dtype, count: count, from: bytes))
            }
            return SafeTensors(tensors: tensors, metadata: metadata, source: file)
        }
    }

    private static func parseMetadata(_ value: JSONValue, file: String) throws -> [String: String] {
        guard case let .object(map) = value else {
            throw PersistenceError.invalidHeader(
                file: file, reason: "\"__metadata__\": expected an object of strings, found \(value.kind)")
        }
        var result: [String: String] = [:]
        for (key, item) in map {
            guard case let .string(s) = item else {
                throw PersistenceError.invalidHeader(
                    file: file, reason: "\"__metadata__\".\"\(key)\": expected a string, found \(item.kind)")
            }
            result[key] = s
        }
        return result
    }

    private static func parseTensorInfo(name: String, _ value: JSONValue, file: String) throws
        -> (dtype: StoredTensor.DType, shape: [Int], begin: Int, end: Int)
    {
        func bad(_ reason: String) -> PersistenceError {
            .invalidHeader(file: file, reason: "tensor \"\(name)\": \(reason)")
        }
        guard case let .object(fields) = value else { throw bad("expected an object, found \(value.kind)") }
        guard let dtypeValue = fields["dtype"] else { throw bad("missing \"dtype\"") }
        guard case let .string(dtypeName) = dtypeValue else { throw bad("\"dtype\": expected a string, found \(dtypeValue.kind)") }
        guard let dtype = StoredTensor.DType(rawValue: dtypeName) else {
            throw PersistenceError.unsupportedDType(file: file, tensor: name, dtype: dtypeName)
        }
        func integers(_ key: String) throws -> [Int] {
            guard let field = fields[key] else { throw bad("missing \"\(key)\"") }
            guard case let .array(items) = field else { throw bad("\"\(key)\": expected an array, found \(field.kind)") }
            return try items.map { item in
                guard case let .integer(i) = item, i >= 0 else {
                    throw bad("\"\(key)\": expected non-negative integers, found \(item.kind) \(item)")
                }
                return Int(i)
            }
        }
        let shape = try integers("shape")
        let offsets = try integers("data_offsets")
        guard offsets.count == 2 else { throw bad("\"data_offsets\": expected [begin, end], found \(offsets.count) numbers") }
        guard offsets[0] <= offsets[1] else {
            throw PersistenceError.invalidOffsets(file: file, tensor: name,
                                                  reason: "begin \(offsets[0]) is after end \(offsets[1])")
        }
        var expected = dtype.byteSize
        var overflow = false
        for d in shape {
            let (product, o) = expected.multipliedReportingOverflow(by: d)
            expected = product
            overflow = overflow || o
        }
        let span = offsets[1] - offsets[0]
        if overflow || expected != span {
            throw PersistenceError.shapeMismatch(file: file, tensor: name, shape: shape, dtype: dtypeName,
                                                 expectedBytes: overflow ? Int.max : expected, foundBytes: span)
        }
        return (dtype, shape, offsets[0], offsets[1])
    }
}
