import Foundation

/// A saved model: a directory holding `config.json`, `model.safetensors` and extra files
/// (vocabularies), written atomically and verified on load.
///
/// `config.json` is a manifest wrapping the caller's config:
/// ```
/// {"format": "twotower-model", "format_version": 1,
///  "config": <the caller's Codable config>,
///  "files": {"model.safetensors": {"bytes": N}, "items.vocab": {"bytes": N, "crc32": "89abcdef"}}}
/// ```
/// The weights carry their own data checksum (required on load); every extra file's size and
/// CRC-32 are checked against the manifest. The directory is published with
/// ``AtomicFile/publishDirectory(at:_:)``: readers see the old model or the new one, never a mix.
public enum ModelDirectory {
    /// The `format` value identifying a TwoTower model directory.
    public static let formatName = "twotower-model"
    /// The format version this build writes and reads.
    public static let formatVersion = 1
    /// The manifest and config file.
    public static let configFileName = "config.json"
    /// The weights file.
    public static let weightsFileName = "model.safetensors"

    /// Writes a model directory at `path` atomically, replacing an existing model directory;
    /// entries of the old directory that neither model lists (the user's files) are carried over.
    ///
    /// - Parameters:
    ///   - config: stored under `"config"` in `config.json`.
    ///   - tensors: the weights, by name (e.g. `"item_embedding"`: F32 `[items, dimensions]`).
    ///   - metadata: extra `__metadata__` strings for `model.safetensors`.
    ///   - extraFiles: other files by name (a single path component), e.g. vocabularies.
    /// - Throws: ``PersistenceError/refusingToReplace(path:reason:)`` when `path` is a file or a
    ///   non-empty directory that is not a model directory; ``PersistenceError/invalidConfig(file:reason:)``
    ///   when `config` cannot be encoded; ``PersistenceError/fileSystem(path:operation:reason:)``.
    /// - Precondition: extra file names are plain names other than the two reserved ones.
    public static func write<Config: Encodable>(
        to path: String, config: Config, tensors: [String: StoredTensor],
        metadata: [String: String] = [:], extraFiles: [String: Data] = [:]
    ) throws {
        for name in extraFiles.keys {
            precondition(!name.isEmpty && !name.contains("/") && name != "." && name != ".."
                         && name != configFileName && name != weightsFileName,
                         "ModelDirectory: invalid extra file name \"\(name)\"")
        }
        try checkReplaceable(AtomicFile.resolvingSymlinks(path))
        var weightsMetadata = metadata
        weightsMetadata["format"] = formatName
        weightsMetadata["format_version"] = String(formatVersion)
        let weights = SafeTensors(tensors: tensors, metadata: weightsMetadata).encoded()

        var files: [String: FileEntry] = [weightsFileName: FileEntry(bytes: weights.count, crc32: nil)]
        for (name, data) in extraFiles {
            let crc = data.withUnsafeBytes { CRC32.checksum($0) }
            files[name] = FileEntry(bytes: data.count, crc32: CRC32.hex(crc))
        }
        let manifest = Manifest(format: formatName, formatVersion: formatVersion, config: config, files: files)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let manifestData: Data
        do { manifestData = try encoder.encode(manifest) } catch {
            throw PersistenceError.invalidConfig(file: path + "/" + configFileName, reason: "\(error)")
        }

        // Files the user put in the directory (notes, --metrics-out, a TensorBoard run) are kept.
        // The old model's own files (its manifest's) are not carried over: a file the new model
        // no longer writes goes with the old version.
        let oldHeader = (try? readFileBytes(AtomicFile.resolvingSymlinks(path) + "/" + configFileName))
            .flatMap { try? JSONDecoder().decode(ManifestHeader.self, from: $0) }
        let ownFiles = Set((oldHeader?.files ?? [:]).keys).union([configFileName, weightsFileName])
        try AtomicFile.publishDirectory(at: path, carryingOverExcept: ownFiles) { directory in
            try AtomicFile.write(weights, to: directory + "/" + weightsFileName)
            for (name, data) in extraFiles { try AtomicFile.write(data, to: directory + "/" + name) }
            try AtomicFile.write(manifestData + Data("\n".utf8), to: directory + "/" + configFileName)
        }
    }

    /// Reads and verifies the model directory at `path`.
    ///
    /// - Throws: ``PersistenceError/notAModelDirectory(path:reason:)`` (missing directory, no or a
    ///   foreign `config.json`), ``PersistenceError/unsupportedFormatVersion(path:found:supported:)``,
    ///   ``PersistenceError/invalidConfig(file:reason:)``, ``PersistenceError/missingFile(directory:file:)``,
    ///   ``PersistenceError/corruptFile(file:reason:)``, ``PersistenceError/nonFiniteValue(file:tensor:index:value:)``
    ///   (a NaN or infinite weight), and every safetensors error for the weights.
    public static func read<Config: Decodable>(_ type: Config.Type, from path: String) throws
        -> ModelDirectoryContents<Config>
    {
        try read(type, from: path, decodingExtras: { _ in () }).contents
    }

    /// ``read(_:from:)``, with `decodeExtras` run on the verified extra files on a second thread
    /// while the weights are read, checksummed and decoded (the two take about as long for a
    /// large model: vocabularies of 10⁶ ids against 10⁸ weights). An error of the weights is
    /// thrown first, then one of `decodeExtras`.
    public static func read<Config: Decodable, Extras: Sendable>(
        _ type: Config.Type, from path: String,
        decodingExtras decodeExtras: @escaping @Sendable ([String: Data]) throws -> Extras
    ) throws -> (contents: ModelDirectoryContents<Config>, extras: Extras) {
        var info = stat()
        if stat(path, &info) != 0, errno == ENOENT {
            AtomicFile.recoverInterruptedSwap(at: path, staleSeconds: nil)  // a save killed mid-swap
        }
        guard stat(path, &info) == 0 else {
            // The system's reason: a symlink loop or a directory one may not enter is not "missing".
            let reason = errno == ENOENT ? "it does not exist" : "it cannot be reached (\(String(cString: strerror(errno))))"
            throw PersistenceError.notAModelDirectory(path: path, reason: reason)
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw PersistenceError.notAModelDirectory(path: path, reason: "it is a file, not a directory")
        }
        let configPath = path + "/" + configFileName
        guard FileManager.default.fileExists(atPath: configPath) else {
            throw PersistenceError.notAModelDirectory(path: path, reason: "no \(configFileName)")
        }
        let manifestData = try readFileBytes(configPath)
        let header = try decodeHeader(manifestData, path: path, configPath: configPath)

        let files = header.files ?? [:]
        guard let weightsEntry = files[weightsFileName] else {
            throw PersistenceError.invalidConfig(file: configPath, reason: "\"files\" does not list \(weightsFileName)")
        }
        var extra: [String: Data] = [:]
        for (name, entry) in files.sorted(by: { $0.key < $1.key }) {
            guard !name.contains("/"), name != "..", name != "." else {
                throw PersistenceError.invalidConfig(file: configPath, reason: "\"files\" lists the path \"\(name)\" (plain names only)")
            }
            let filePath = path + "/" + name
            guard FileManager.default.fileExists(atPath: filePath) else {
                throw PersistenceError.missingFile(directory: path, file: name)
            }
            if name == weightsFileName { continue }
            let data = try readFileBytes(filePath)
            try verify(data, entry, file: filePath)
            extra[name] = data
        }
        let extrasResult = ConcurrentResult<Extras>()
        let verifiedExtras = extra
        let extrasDone = DispatchGroup()
        extrasDone.enter()
        DispatchQueue.global().async {
            extrasResult.set(Result { try decodeExtras(verifiedExtras) })
            extrasDone.leave()
        }
        defer { extrasDone.wait() }  // never return while the second thread still runs
        let weightsPath = path + "/" + weightsFileName
        let weightsData = try readFileBytes(weightsPath)
        try verify(weightsData, weightsEntry, file: weightsPath)
        let weights = try SafeTensors.decode(weightsData, file: weightsPath, checksum: .required)
        try requireFinite(weights)

        let config: Config
        do { config = try JSONDecoder().decode(ConfigBox<Config>.self, from: manifestData).config } catch {
            throw PersistenceError.invalidConfig(file: configPath, reason: describe(error))
        }
        extrasDone.wait()
        let extras = try extrasResult.get()
        return (ModelDirectoryContents(config: config, weights: weights, extraFiles: extra), extras)
    }

    /// One extra file of the model directory at `path`, checked against the manifest's size and
    /// CRC-32, without reading the weights (e.g. the run record a report draws).
    /// - Throws: ``PersistenceError``: `notAModelDirectory`, `invalidConfig`, `missingFile` when
    ///   the manifest does not list `name` or the file is gone, `corruptFile` when it differs.
    public static func verifiedExtraFile(_ name: String, in path: String) throws -> Data {
        let configPath = path + "/" + configFileName
        guard FileManager.default.fileExists(atPath: configPath) else {
            throw PersistenceError.notAModelDirectory(path: path, reason: "no \(configFileName)")
        }
        let header = try decodeHeader(try readFileBytes(configPath), path: path, configPath: configPath)
        guard let entry = header.files?[name] else { throw PersistenceError.missingFile(directory: path, file: name) }
        let filePath = path + "/" + name
        guard FileManager.default.fileExists(atPath: filePath) else { throw PersistenceError.missingFile(directory: path, file: name) }
        let data = try readFileBytes(filePath)
        try verify(data, entry, file: filePath)
        return data
    }

    /// Whether the manifest of the model directory at `path` lists the file `name` (false when
    /// the manifest cannot be read).
    public static func manifestLists(_ name: String, in path: String) -> Bool {
        guard let data = try? readFileBytes(path + "/" + configFileName),
              let header = try? JSONDecoder().decode(ManifestHeader.self, from: data) else { return false }
        return header.files?[name] != nil
    }

    /// Whether `path` holds a `config.json` naming the TwoTower model format (any version).
    public static func isModelDirectory(_ path: String) -> Bool {
        guard let data = try? readFileBytes(path + "/" + configFileName),
              let header = try? JSONDecoder().decode(ManifestHeader.self, from: data) else { return false }
        return header.format == formatName
    }

    /// Throws ``PersistenceError/nonFiniteValue(file:tensor:index:value:)`` for the first F32
    /// tensor (in name order) holding NaN or an infinity.
    static func requireFinite(_ weights: SafeTensors) throws {
        for (name, tensor) in weights.tensors.sorted(by: { $0.key < $1.key }) {
            guard case .float32(let values) = tensor.values else { continue }
            if let i = values.firstIndex(where: { !$0.isFinite }) {
                throw PersistenceError.nonFiniteValue(file: weights.source, tensor: name, index: i, value: "\(values[i])")
            }
        }
    }

    /// Checks, before a long job, that a directory the job creates at `inner` (e.g.
    /// `--tensorboard`) does not sit inside the model directory `path` while `path` is not a model
    /// directory yet: the first save would find a non-empty foreign directory and refuse to
    /// replace it. Inside an existing model directory it is fine (carried over on save).
    /// - Throws: ``PersistenceError/refusingToReplace(path:reason:)`` naming `what`.
    public static func checkNested(_ inner: String, what: String, in path: String) throws {
        func absolute(_ p: String) -> String { URL(fileURLWithPath: AtomicFile.resolvingSymlinks(p)).standardizedFileURL.path }
        let outer = absolute(path), nested = absolute(inner)
        guard nested.hasPrefix(outer + "/"), !isModelDirectory(outer) else { return }
        throw PersistenceError.refusingToReplace(
            path: path, reason: "\(what) \(inner) is inside it and it is not a model directory yet (the save at the end would refuse to replace a directory holding only that run); save the model once first, or put \(what) beside it")
    }

    private static func checkReplaceable(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw PersistenceError.refusingToReplace(path: path, reason: "it is a file, not a model directory")
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        if !contents.isEmpty && !isModelDirectory(path) {
            throw PersistenceError.refusingToReplace(
                path: path, reason: "it is a non-empty directory without a TwoTower \(configFileName) "
                    + "(\(contents.count) entries); choose another --output or remove it")
        }
    }

    private static func decodeHeader(_ data: Data, path: String, configPath: String) throws -> ManifestHeader {
        let header: ManifestHeader
        do { header = try JSONDecoder().decode(ManifestHeader.self, from: data) } catch {
            throw PersistenceError.invalidConfig(file: configPath, reason: describe(error))
        }
        guard let format = header.format else {
            throw PersistenceError.notAModelDirectory(
                path: path, reason: "\(configFileName) has no \"format\" field (not written by TwoTower)")
        }
        guard format == formatName else {
            throw PersistenceError.notAModelDirectory(
                path: path, reason: "\(configFileName) has format \"\(format)\" (expected \"\(formatName)\")")
        }
        guard let version = header.formatVersion else {
            throw PersistenceError.invalidConfig(file: configPath, reason: "no \"format_version\" field")
        }
        guard version == formatVersion else {
            throw PersistenceError.unsupportedFormatVersion(path: path, found: version, supported: formatVersion)
        }
        return header
    }

    private static func verify(_ data: Data, _ entry: FileEntry, file: String) throws {
        if data.count != entry.bytes {
            throw PersistenceError.corruptFile(
                file: file, reason: "config.json records \(entry.bytes) bytes, the file has \(data.count)")
        }
        if let expected = entry.crc32 {
            let computed = CRC32.hex(data.withUnsafeBytes { CRC32.checksum($0) })
            if computed != expected.lowercased() {
                throw PersistenceError.corruptFile(
                    file: file, reason: "CRC-32 is \(computed), config.json records \(expected)")
            }
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, context):
            return "missing \(pathString(context.codingPath + [key]))"
        case let DecodingError.typeMismatch(type, context), let DecodingError.valueNotFound(type, context):
            return "\(pathString(context.codingPath)): expected \(type)"
        case let DecodingError.dataCorrupted(context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(pathString(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }

    private static func pathString(_ path: [any CodingKey]) -> String {
        "\"" + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") + "\""
    }

    struct FileEntry: Codable {
        var bytes: Int
        var crc32: String?
    }

    private struct Manifest<Config: Encodable>: Encodable {
        var format: String
        var formatVersion: Int
        var config: Config
        var files: [String: FileEntry]
        enum CodingKeys: String, CodingKey {
            case format, formatVersion = "format_version", config, files
        }
    }

    private struct ManifestHeader: Decodable {
        var format: String?
        var formatVersion: Int?
        var files: [String: FileEntry]?
        enum CodingKeys: String, CodingKey {
            case format, formatVersion = "format_version", files
        }
    }

    private struct ConfigBox<Config: Decodable>: Decodable {
        var config: Config
    }
}

/// What ``ModelDirectory/read(_:from:)`` returns.
public struct ModelDirectoryContents<Config> {
    /// The decoded `"config"` of `config.json`.
    public var config: Config
    /// The verified weights (``SafeTensors/source`` is the file's path, for error messages).
    public var weights: SafeTensors
    /// The extra files by name, size and checksum verified.
    public var extraFiles: [String: Data]
}

extension ModelDirectoryContents: Sendable where Config: Sendable {}

/// A value set by one thread and read by another after a join.
private final class ConcurrentResult<Value>: @unchecked Sendable {
    // @unchecked: written once before `DispatchGroup.leave()`, read after `wait()`.
    private var result: Result<Value, any Error>?
    func set(_ value: Result<Value, any Error>) { result = value }
    func get() throws -> Value {
        guard let result else { preconditionFailure("ConcurrentResult read before it was set") }
        return try result.get()
    }
}
