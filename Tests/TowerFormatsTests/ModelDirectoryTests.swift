import Foundation
import Testing
import TowerCore
import TowerTestSupport
@testable import TowerFormats

struct TestConfig: Codable, Equatable {
    var dimensions: Int
    var tower: String
    var temperature: Double
}

struct OtherConfig: Codable { var layers: [Int] }

@Suite struct ModelDirectoryTests {
    let config = TestConfig(dimensions: 8, tower: "mf", temperature: 0.07)
    let items = randomMatrix(rows: 11, columns: 8, seed: 1)
    let extra = ["items.vocab": Data("a\nb\nc\n".utf8), "users.vocab": Data("u1\nu2\n".utf8)]

    func save(_ path: String) throws {
        try ModelDirectory.write(to: path, config: config,
                                 tensors: ["item_embedding": StoredTensor(items), "item_ids": StoredTensor((0..<Int64(11)).map { $0 })],
                                 metadata: ["trained_epochs": "3"], extraFiles: extra)
    }

    func readError(_ path: String) -> PersistenceError? {
        do { _ = try ModelDirectory.read(TestConfig.self, from: path); return nil } catch { return error as? PersistenceError }
    }

    @Test func roundTrip() throws {
        let parent = try makeTemporaryDirectory("modeldir")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let path = parent + "/model"
        try save(path)
        #expect(listing(path) == ["config.json", "items.vocab", "model.safetensors", "users.vocab"])
        #expect(listing(parent) == ["model"])
        let loaded = try ModelDirectory.read(TestConfig.self, from: path)
        #expect(loaded.config == config)
        #expect(bits(try loaded.weights.matrix("item_embedding").storage) == bits(items.storage))
        #expect(try loaded.weights.int64Vector("item_ids") == (0..<Int64(11)).map { $0 })
        #expect(loaded.weights.metadata["trained_epochs"] == "3")
        #expect(loaded.weights.metadata["format_version"] == "1")
        #expect(loaded.extraFiles == extra)
        #expect(ModelDirectory.isModelDirectory(path))
        // Saving again over the same directory replaces it.
        try ModelDirectory.write(to: path, config: config, tensors: ["item_embedding": StoredTensor(items)])
        #expect(listing(path) == ["config.json", "model.safetensors"])
        #expect(listing(parent) == ["model"])
    }

    @Test func refusesToReplaceForeignThings() throws {
        let parent = try makeTemporaryDirectory("modeldir-foreign")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        try FileManager.default.createDirectory(atPath: parent + "/home", withIntermediateDirectories: false)
        try AtomicFile.write(Data("precious".utf8), to: parent + "/home/notes.txt")
        let error = #expect(throws: PersistenceError.self) { try save(parent + "/home") }
        if case .refusingToReplace? = error {} else { Issue.record("got \(String(describing: error))") }
        #expect(listing(parent + "/home") == ["notes.txt"])
        try AtomicFile.write(Data("x".utf8), to: parent + "/file")
        #expect(throws: PersistenceError.refusingToReplace(path: parent + "/file", reason: "it is a file, not a model directory")) {
            try save(parent + "/file")
        }
        // An empty directory is fine.
        try FileManager.default.createDirectory(atPath: parent + "/empty", withIntermediateDirectories: false)
        try save(parent + "/empty")
        #expect(ModelDirectory.isModelDirectory(parent + "/empty"))
    }

    @Test func foreignAndMissingDirectories() throws {
        let parent = try makeTemporaryDirectory("modeldir-missing")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        #expect(readError(parent + "/none") == .notAModelDirectory(path: parent + "/none", reason: "it does not exist"))
        // A symlink loop exists but cannot be reached: the system's reason, not "does not exist".
        #expect(symlink(parent + "/loop-b", parent + "/loop-a") == 0 && symlink(parent + "/loop-a", parent + "/loop-b") == 0)
        #expect(readError(parent + "/loop-a") == .notAModelDirectory(
            path: parent + "/loop-a", reason: "it cannot be reached (\(String(cString: strerror(ELOOP))))"))
        #expect(unlink(parent + "/loop-a") == 0 && unlink(parent + "/loop-b") == 0)
        #expect(readError(parent) == .notAModelDirectory(path: parent, reason: "no config.json"))
        try AtomicFile.write(Data(#"{"model_type": "bert", "hidden_size": 768}"#.utf8), to: parent + "/config.json")
        #expect(readError(parent) == .notAModelDirectory(
            path: parent, reason: "config.json has no \"format\" field (not written by TwoTower)"))
        try AtomicFile.write(Data(#"{"format": "keras"}"#.utf8), to: parent + "/config.json")
        #expect(readError(parent) == .notAModelDirectory(path: parent, reason: "config.json has format \"keras\" (expected \"twotower-model\")"))
        try AtomicFile.write(Data("not json".utf8), to: parent + "/config.json")
        #expect(readError(parent) == .invalidConfig(file: parent + "/config.json", reason: "not valid JSON"))
    }

    @Test(arguments: [0, 2])
    func otherFormatVersions(version: Int) throws {
        let parent = try makeTemporaryDirectory("modeldir-version")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        try save(parent + "/m")
        let configPath = parent + "/m/config.json"
        let text = try String(contentsOfFile: configPath, encoding: .utf8)
            .replacingOccurrences(of: "\"format_version\" : 1", with: "\"format_version\" : \(version)")
        try AtomicFile.write(Data(text.utf8), to: configPath)
        let error = readError(parent + "/m")
        #expect(error == .unsupportedFormatVersion(path: parent + "/m", found: version, supported: 1))
        #expect(error?.description.contains(version > 1 ? "a newer TwoTower" : "an older TwoTower") == true)
    }

    @Test func corruptedFilesAreDetected() throws {
        let parent = try makeTemporaryDirectory("modeldir-corrupt")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let path = parent + "/m"
        let weights = path + "/model.safetensors"

        try save(path)
        let full = try Data(contentsOf: URL(fileURLWithPath: weights))
        try AtomicFile.write(full.prefix(full.count - 10), to: weights)
        #expect(readError(path) == .corruptFile(file: weights, reason: "config.json records \(full.count) bytes, the file has \(full.count - 10)"))

        var flipped = full
        flipped[flipped.count - 3] ^= 0x40
        try AtomicFile.write(flipped, to: weights)
        if case .checksumMismatch(weights, _, _)? = readError(path) {} else { Issue.record("flipped weight byte not detected") }

        try save(path)
        try AtomicFile.write(Data("a\nX\nc\n".utf8), to: path + "/items.vocab")
        if case .corruptFile(path + "/items.vocab", let reason)? = readError(path) {
            #expect(reason.hasPrefix("CRC-32 is"))
        } else {
            Issue.record("changed vocabulary not detected")
        }

        try save(path)
        try FileManager.default.removeItem(atPath: path + "/users.vocab")
        #expect(readError(path) == .missingFile(directory: path, file: "users.vocab"))
    }

    @Test func configOfAnotherShapeIsAnInvalidConfig() throws {
        let parent = try makeTemporaryDirectory("modeldir-config")
        defer { try? FileManager.default.removeItem(atPath: parent) }
        try save(parent + "/m")
        let error = #expect(throws: PersistenceError.self) { try ModelDirectory.read(OtherConfig.self, from: parent + "/m") }
        #expect(error == .invalidConfig(file: parent + "/m/config.json", reason: "missing \"config.layers\""))
    }
}
