import Foundation
import Testing
import TowerCore
import TowerData
import TowerFormats
import TowerTestSupport
@testable import TowerWorkflows
@testable import TwoTower

/// A hand-edited `config.json` (not covered by the checksums) or non-finite weights are load
/// errors naming the field or tensor, found before any model is built (issue 11, items 2 and 5).
@Suite struct CheckpointValidationTests {
    /// Saves a small model (mf, or mlp with one hidden layer) and returns its directory.
    static func saveSmallModel(tower: ModelConfiguration.TowerKind = .mf, poison: Bool = false) throws -> String {
        let dir = temporaryDirectory("checkpoint-validation")
        var config = ModelConfiguration()
        config.tower = tower
        config.dimensions = 8
        config.hiddenLayers = [6]
        let model = TwoTowerModel(configuration: config, userCount: 3, itemCount: 4, seed: 1)
        if poison { model.parameters[0].value.withUnsafeMutableBufferPointer { $0[5] = .nan } }
        let users = Vocabulary(name: "user", ids: ["a", "b", "c"]), items = Vocabulary(name: "item", ids: ["w", "x", "y", "z"])
        let log = InteractionLog(users: [0, 1, 2], items: [0, 1, 3], userVocabulary: users, itemVocabulary: items)
        try ModelCheckpoint.save(model, training: TrainingConfiguration(), userVocabulary: users, itemVocabulary: items,
                                 trainItemsByUser: UserItemLists(log), dataName: "test", to: dir)
        return dir
    }

    /// Rewrites `config.json` with `edit` applied to its `"config"` object.
    static func editConfig(_ dir: String, _ edit: (inout [String: Any]) -> Void) throws {
        let path = dir + "/config.json"
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var config = manifest["config"] as! [String: Any]
        edit(&config)
        manifest["config"] = config
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: path))
    }

    static func setModelField(_ dir: String, _ key: String, _ value: Any) throws {
        try editConfig(dir) { c in
            var m = c["model"] as! [String: Any]
            m[key] = value
            c["model"] = m
        }
    }

    func loadError(_ dir: String) -> PersistenceError? {
        do { _ = try ModelCheckpoint.load(from: dir); return nil } catch let e as PersistenceError { return e } catch {
            Issue.record("unexpected error \(error)"); return nil
        }
    }

    @Test func savedModelLoadsBeforeEditing() throws {
        let dir = try Self.saveSmallModel(tower: .mlp); defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = try ModelCheckpoint.load(from: dir).model()
        #expect(model.dimensions == 8)
    }

    @Test(arguments: [0, -64])
    func nonPositiveDimensionsNameTheField(dimensions: Int) throws {
        let dir = try Self.saveSmallModel(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.setModelField(dir, "dimensions", dimensions)
        let e = loadError(dir)
        #expect(e == .invalidConfig(file: dir + "/config.json", reason: "config.model.dimensions must be positive, found \(dimensions)"))
    }

    @Test func hugeDimensionsDisagreeWithTheWeightsBeforeAllocating() throws {
        let dir = try Self.saveSmallModel(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.setModelField(dir, "dimensions", 1 << 40)
        let e = loadError(dir)
        #expect(e == .corruptFile(file: dir + "/model.safetensors",
                                  reason: "tensor \"user.id\" is F32 [3, 8], config.json's model needs F32 [3, 1099511627776]"))
    }

    @Test func zeroHiddenLayerNamesTheField() throws {
        let dir = try Self.saveSmallModel(tower: .mlp); defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.setModelField(dir, "hiddenLayers", [0])
        #expect(loadError(dir) == .invalidConfig(file: dir + "/config.json",
                                                 reason: "config.model.hiddenLayers: every width must be positive, found 0"))
    }

    @Test func otherHiddenLayersOrTowerDisagreeWithTheWeights() throws {
        let dir = try Self.saveSmallModel(tower: .mlp); defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.setModelField(dir, "hiddenLayers", [6, 5])
        #expect(loadError(dir) == .corruptFile(file: dir + "/model.safetensors",
                                               reason: "tensor \"user.mlp.dense1.weight\" is F32 [6, 8], config.json's model needs F32 [6, 5]"))
        try Self.setModelField(dir, "hiddenLayers", [6])
        try Self.setModelField(dir, "tower", "mf")
        // An mf tower's id table is [users, dimensions]: the saved one is too (e = d), so it loads;
        // the extra MLP tensors are unused. A changed width does not.
        try Self.setModelField(dir, "embeddingDimensions", 4)
        try Self.setModelField(dir, "tower", "mlp")
        #expect(loadError(dir) == .corruptFile(file: dir + "/model.safetensors",
                                               reason: "tensor \"user.id\" is F32 [3, 8], config.json's model needs F32 [3, 4]"))
    }

    @Test func badCountsAndTrainingFieldsNameTheField() throws {
        let dir = try Self.saveSmallModel(); defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.editConfig(dir) { $0["userCount"] = 0 }
        #expect(loadError(dir) == .invalidConfig(file: dir + "/config.json", reason: "config.userCount must be positive, found 0"))
        try Self.editConfig(dir) { c in
            c["userCount"] = 3
            var t = c["training"] as! [String: Any]
            t["batchSize"] = -1
            c["training"] = t
        }
        #expect(loadError(dir) == .invalidConfig(file: dir + "/config.json", reason: "config.training.batchSize must be positive, found -1"))
    }

    @Test func nonFiniteWeightsAreALoadErrorNamingTheTensor() throws {
        let dir = try Self.saveSmallModel(poison: true); defer { try? FileManager.default.removeItem(atPath: dir) }
        let e = loadError(dir)
        #expect(e == .nonFiniteValue(file: dir + "/model.safetensors", tensor: "user.id", index: 5, value: "nan"))
        #expect(e?.description.contains("tensor \"user.id\": holds nan at index 5") == true)
    }

    /// The shapes computed without allocation are the built model's, for every tower layout.
    @Test func parameterShapesMatchTheBuiltModel() {
        var rng = Xoshiro256(seed: 3)
        for k in 0..<24 {
            var c = ModelConfiguration()
            c.tower = k % 2 == 0 ? .mf : .mlp
            c.dimensions = 1 + Int(rng.next() % 9)
            c.hiddenLayers = (0..<Int(rng.next() % 3)).map { _ in 1 + Int(rng.next() % 7) }
            c.embeddingDimensions = k % 3 == 0 ? 5 : nil
            c.inferEmbeddingSizes = k % 5 == 0
            c.useItemFeatures = k % 4 != 1
            let users = 1 + Int(rng.next() % 5), items = 1 + Int(rng.next() % 5)
            let feature = EntityFeature(name: "g", vocabularySize: 3,
                                        values: .multi(offsets: (0...Int32(items)).map { $0 }, ids: (0..<items).map { Int32($0 % 3) }))
            let model = TwoTowerModel(configuration: c, userCount: users, itemCount: items, itemFeatures: [feature], seed: 1)
            let built = model.parameters.map { ParameterShape(name: $0.name, rows: $0.rows, columns: $0.columns) }
            #expect(TwoTowerModel.parameterShapes(configuration: c, userCount: users, itemCount: items,
                                                  itemFeatures: [("g", 3)]) == built, "\(c)")
        }
    }
}
