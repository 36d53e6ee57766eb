import Foundation
import Testing
import TowerCore
import TowerData
import TowerTestSupport
import TwoTower
@testable import TowerServing

/// `twotower serve` on a model with side features (embedded and numeric, both towers): the
/// served embeddings are the towers' own, computed from the features saved in the model.
@Suite struct FeatureModelServingTests {
    @Test func servedEmbeddingsUseTheSavedFeatures() throws {
        let dir = temporaryDirectory("serving-features")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var c = ModelConfiguration()
        c.tower = .mlp
        c.dimensions = 6
        c.hiddenLayers = [5]
        let genres = EntityFeature(name: "genres", vocabularySize: 3, values: .multi(offsets: [0, 1, 3, 3, 4], ids: [0, 1, 2, 2]))
        let year = EntityFeature.numeric(name: "year", raw: [1990, nil, 2005, 2011])
        let age = EntityFeature.numeric(name: "age", raw: [20, 60, nil])
        let model = TwoTowerModel(configuration: c, userCount: 3, itemCount: 4, userFeatures: [age],
                                  itemFeatures: [genres, year], seed: 7)
        let users = Vocabulary(name: "user", ids: ["u1", "u2", "u3"])
        let items = Vocabulary(name: "item", ids: ["a", "b", "c", "d"])
        let log = InteractionLog(users: [0, 1, 2], items: [0, 1, 2], userVocabulary: users, itemVocabulary: items)
        try ModelCheckpoint.save(model, training: TrainingConfiguration(), userVocabulary: users, itemVocabulary: items,
                                 trainItemsByUser: UserItemLists(log), userFeatures: [age], itemFeatures: [genres, year],
                                 dataName: "test", to: dir)
        let served = try ServingModel(modelDirectory: dir, version: 1)
        #expect(served.userEmbeddings == model.queryTower.embedAll())
        #expect(served.index.items == model.itemTower.embedAll())
        // Without the features the same weights would embed differently: they do reach the towers.
        let bare = TwoTowerModel(configuration: c, userCount: 3, itemCount: 4, seed: 7)
        #expect(served.index.items != bare.itemTower.embedAll())
    }
}
