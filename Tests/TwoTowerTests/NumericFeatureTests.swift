import Foundation
import Testing
import TowerCore
import TowerData
import TowerFormats
import TowerTestSupport
@testable import TwoTower

/// Numeric side features (`--item-features` numeric columns): z-scoring against an independent
/// NumPy reference, the MLP input gradients, and the checkpoint round trip.
@Suite struct NumericFeatureTests {
    private func numericValues(_ f: EntityFeature) -> ([Float], [Bool]) {
        guard case .numeric(let v, let m) = f.values else { Issue.record("\(f.name) is not numeric"); return ([], []) }
        return (v, m)
    }

    /// Values from Tests/TwoTowerTests/Reference/numeric_feature_reference.py (case A, B, C).
    @Test func zScoresMatchTheNumPyReference() {
        let a = EntityFeature.numeric(name: "year", raw: [1995, nil, 2001.5, 1987, nil, 1995, 2010.25])
        let z = try! #require(a.normalization)
        #expect(abs(z.mean - 1997.75) < 1e-12)
        #expect(abs(z.standardDeviation - 7.758865896508329) < 1e-12)
        let (values, missing) = numericValues(a)
        let reference: [Float] = [-0.35443323850631714, 0, 0.4833180606365204, -1.3855117559432983, 0,
                                  -0.35443323850631714, 1.6110601425170898]
        #expect(maxScaledDifference(values, reference) < 1e-6, "\(values)")
        #expect(missing == [false, true, false, false, true, false, false])
        #expect(a.vocabularySize == 0 && a.isNumeric && a.entityCount == 7)

        let b = EntityFeature.numeric(name: "constant", raw: [3, 3, nil, 3])
        #expect(b.normalization?.standardDeviation == 1, "one distinct value: sd taken as 1")
        #expect(numericValues(b).0 == [0, 0, 0, 0])
        #expect(numericValues(b).1 == [false, false, true, false])

        let c = EntityFeature.numeric(name: "year", raw: [0.5, 2000, nil], normalization: z)
        #expect(c.normalization == z, "a given normalisation is reused, not refitted")
        #expect(maxScaledDifference(numericValues(c).0, [-257.4151916503906, 0.2899908423423767, 0]) < 1e-6)
    }

    private static func configuration(l2: Bool) -> ModelConfiguration {
        var c = ModelConfiguration()
        c.tower = .mlp
        c.dimensions = 5
        c.embeddingDimensions = 3
        c.hiddenLayers = [7]
        c.l2Normalize = l2
        return c
    }

    private static let genres = EntityFeature(name: "genres", vocabularySize: 4,
                                              values: .multi(offsets: [0, 2, 2, 3, 6, 7, 8], ids: [0, 1, 2, 1, 2, 3, 3, 0]))
    private static let year = EntityFeature.numeric(name: "year", raw: [1995, nil, 2001, 1980, 2010, nil])
    private static let score = EntityFeature.numeric(name: "score", raw: [0.5, -1, nil, 2, 0, 1])

    /// L = Σ w ⊙ tower(rows), in Double.
    private func loss(_ tower: Tower, _ rows: [Int32], _ w: Matrix) -> Double {
        let y = tower.forward(rows: rows, training: true)
        var s = 0.0
        for i in 0..<y.count { s += Double(y.storage[i]) * Double(w.storage[i]) }
        return s
    }

    /// Every weight of the first dense layer that multiplies a numeric input (value and missing
    /// indicator) against central differences; those rows get a non-zero gradient.
    @Test(arguments: [false, true])
    func numericInputWeightsMatchFiniteDifferences(l2: Bool) throws {
        let tower = Tower(name: "item", entityCount: 6, features: [Self.genres, Self.year, Self.score],
                          configuration: Self.configuration(l2: l2), seed: 3)
        #expect(tower.featureNames == ["genres", "year", "score"])
        let dense = try #require(tower.parameters.first { $0.name == "item.mlp.dense0.weight" })
        #expect(dense.rows == 3 + 3 + 2 * 2, "id 3 + genres 3 + two inputs per numeric feature")
        let rows: [Int32] = [1, 3, 3, 5, 0, 2]   // rows 1 and 5 miss the year, row 2 the score
        let w = randomMatrix(rows: rows.count, columns: 5, seed: 9)
        _ = tower.forward(rows: rows, training: true)
        tower.backward(w)
        let analytic = dense.gradient
        var worst = 0.0
        for input in 6..<10 {
            var rowGradient: Float = 0
            for out in 0..<dense.columns {
                let index = input * dense.columns + out
                let old = dense.value.storage[index]
                let h: Float = 1e-3
                dense.value.storage[index] = old + h
                let up = loss(tower, rows, w)
                dense.value.storage[index] = old - h
                let down = loss(tower, rows, w)
                dense.value.storage[index] = old
                let numeric = (up - down) / Double(2 * h)
                worst = max(worst, abs(numeric - Double(analytic.storage[index])) / max(1, abs(numeric)))
                rowGradient += abs(analytic.storage[index])
            }
            #expect(rowGradient > 1e-4, "input \(input) of the MLP gets no gradient: the numeric feature does not reach it")
        }
        #expect(worst < 1e-2, "relative gradient error \(worst)")
    }

    /// The missing indicator is an input: two items alike but for a missing value score differently.
    @Test func missingIndicatorReachesTheOutput() {
        let withMissing = EntityFeature.numeric(name: "year", raw: [nil, 2000, 1990])
        let normalization = withMissing.normalization!
        // Row 0 with the mean itself: the same z-score 0, but not missing.
        let atMean = EntityFeature.numeric(name: "year", raw: [normalization.mean, 2000, 1990], normalization: normalization)
        let a = Tower(name: "item", entityCount: 3, features: [withMissing], configuration: Self.configuration(l2: false), seed: 2)
        let b = Tower(name: "item", entityCount: 3, features: [atMean], configuration: Self.configuration(l2: false), seed: 2)
        #expect(a.forward(rows: [1, 2], training: false) == b.forward(rows: [1, 2], training: false))
        #expect(a.forward(rows: [0], training: false) != b.forward(rows: [0], training: false))
    }

    /// A model with embedded and numeric features on both towers, saved and loaded: scores are
    /// bit-identical and the features come back from the checkpoint (not from any file).
    @Test func saveLoadGivesBitIdenticalScoresWithFeatures() throws {
        let dir = temporaryDirectory("numeric-features")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let age = EntityFeature.numeric(name: "age", raw: [31, nil, 45])
        let model = TwoTowerModel(configuration: Self.configuration(l2: true), userCount: 3, itemCount: 6,
                                  userFeatures: [age], itemFeatures: [Self.genres, Self.year, Self.score], seed: 11)
        let users = Vocabulary(name: "user", ids: ["u1", "u2", "u3"])
        let items = Vocabulary(name: "item", ids: ["a", "b", "c", "d", "e", "f"])
        let log = InteractionLog(users: [0, 1, 2, 2], items: [0, 3, 5, 1], userVocabulary: users, itemVocabulary: items)
        try ModelCheckpoint.save(model, training: TrainingConfiguration(), userVocabulary: users, itemVocabulary: items,
                                 trainItemsByUser: UserItemLists(log), userFeatures: [age],
                                 itemFeatures: [Self.genres, Self.year, Self.score], dataName: "test", to: dir)
        let checkpoint = try ModelCheckpoint.load(from: dir)
        #expect(checkpoint.configuration.itemFeatures.map(\.kind) == [nil, "numeric", "numeric"])
        #expect(checkpoint.configuration.itemFeatures[1].normalization == Self.year.normalization)
        let loaded = try checkpoint.model()
        #expect(loaded.itemTower.featureNames == ["genres", "year", "score"])
        #expect(loaded.queryTower.featureNames == ["age"])
        let everyItem = (0..<6).map { Int32($0) }
        let scores = loaded.scores(users: [0, 1, 2], items: everyItem)
        #expect(scores.storage == model.scores(users: [0, 1, 2], items: everyItem).storage)
        // The in-memory checkpoint (no file) holds the same tensors.
        let memory = ModelCheckpoint(model, training: TrainingConfiguration(), userVocabulary: users, itemVocabulary: items,
                                     trainItemsByUser: UserItemLists(log), userFeatures: [age],
                                     itemFeatures: [Self.genres, Self.year, Self.score], dataName: "test")
        #expect(try memory.model().scores(users: [0, 1, 2], items: everyItem).storage == scores.storage)
        #expect(try memory.weights.floatVector("feature.item.year.values") == numericValues(Self.year).0)
    }

    @Test func aCorruptNumericFeatureIsALoadError() throws {
        let dir = temporaryDirectory("numeric-features-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = TwoTowerModel(configuration: Self.configuration(l2: false), userCount: 1, itemCount: 6,
                                  itemFeatures: [Self.year], seed: 1)
        let users = Vocabulary(name: "user", ids: ["u"]), items = Vocabulary(name: "item", ids: ["a", "b", "c", "d", "e", "f"])
        let log = InteractionLog(users: [0], items: [0], userVocabulary: users, itemVocabulary: items)
        var checkpoint = ModelCheckpoint(model, training: TrainingConfiguration(), userVocabulary: users, itemVocabulary: items,
                                         trainItemsByUser: UserItemLists(log), itemFeatures: [Self.year], dataName: "test")
        checkpoint.weights.tensors["feature.item.year.missing"] = StoredTensor([Int32](repeating: 2, count: 6))
        try checkpoint.save(to: dir)
        #expect {
            try ModelCheckpoint.load(from: dir).model()
        } throws: { error in "\(error)".contains("numeric feature item.year needs 6 finite values and 0/1 missing flags") }
    }
}
