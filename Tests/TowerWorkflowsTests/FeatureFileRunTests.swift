import Foundation
import Testing
import TowerCore
import TowerData
import TowerFormats
import TowerTestSupport
@testable import TowerWorkflows
@testable import TwoTower

/// `--item-features FILE` through a whole run: the features reach the towers, are saved with the
/// model, and `evaluate`, `export` and the `Recommender` (`recommend`, the server) score with the
/// saved ones, without the file; items without a line get the learned missing value.
@Suite struct FeatureFileRunTests {
    /// 60 users × 10 interactions over 30 items `i0…i29`; `items.csv` describes `i0…i27` (not
    /// `i28`, `i29`) and one id the data does not have (`ghost`).
    static func writeData(_ dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var rng = Xoshiro256(seed: 17)
        var lines = ["user_id,item_id"]
        for u in 0..<60 {
            var chosen = Set<Int>()
            while chosen.count < 10 { chosen.insert(Int.random(in: 0..<30, using: &rng) % (u % 3 == 0 ? 15 : 30)) }
            for i in chosen.sorted() { lines.append("u\(u),i\(i)") }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: "\(dir)/interactions.csv", atomically: true, encoding: .utf8)
        var features = ["item_id,genre,year"]
        for i in 0..<28 { features.append("i\(i),\(["a", "b", "c"][i % 3])|\(["x", "y"][i % 2]),\(i % 7 == 0 ? "" : String(1980 + i))") }
        features.append("ghost,a,2000")
        try (features.joined(separator: "\n") + "\n").write(toFile: "\(dir)/items.csv", atomically: true, encoding: .utf8)
    }

    static func run(_ dir: String) -> TrainingRun {
        var run = TrainingRun()
        run.data.path = "\(dir)/interactions.csv"
        run.data.split = try! SplitStrategy(parsing: "ratio:0.8")
        run.data.itemFeatureFile = DataSource.FeatureFile(path: "\(dir)/items.csv")
        run.model.tower = .mlp
        run.model.dimensions = 8
        run.model.hiddenLayers = [8]
        run.training.epochs = 2
        run.training.batchSize = 32
        run.training.learningRate = 0.05
        run.training.patience = nil
        run.evaluation.ks = [5]
        run.output = "\(dir)/model"
        return run
    }

    @Test func savedFeaturesAreWhatEveryReaderScoresWith() throws {
        let dir = temporaryDirectory("feature-run")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeData(dir)
        let run = Self.run(dir)
        let report = try run.run()
        #expect(report.notes.contains { $0.contains("items.csv: 29 lines") && $0.contains("1 unknown id ignored (first: \"ghost\", line 30)")
            && $0.contains("2 items without a line get the missing value") }, "\(report.notes)")

        let checkpoint = try ModelCheckpoint.load(from: run.output!)
        #expect(checkpoint.configuration.itemFeatures.map(\.name) == ["genre", "year"])
        #expect(checkpoint.configuration.itemFeatures.map(\.kind) == [nil, "numeric"])
        let loaded = try checkpoint.model()

        // The same model rebuilt from the prepared features and trained alike: bit-identical scores.
        let prepared = try run.data.prepare(seed: run.training.seed)
        #expect(prepared.itemFeatures.map(\.name) == ["genre", "year"])
        let again = TwoTowerModel(configuration: run.model, userCount: prepared.userCount, itemCount: prepared.itemCount,
                                  itemFeatures: prepared.itemFeatures, seed: run.training.seed)
        let trainer = try Trainer(model: again, configuration: run.training, itemCounts: prepared.split.trainItemCounts)
        _ = try trainer.fit(prepared.split.train)
        let users = (0..<prepared.userCount).map { Int32($0) }, items = (0..<prepared.itemCount).map { Int32($0) }
        let scores = again.scores(users: users, items: items)
        #expect(loaded.scores(users: users, items: items) == scores)

        // The feature file is gone: evaluate (recorded data), export and the recommender still
        // score with the features saved in the model.
        try FileManager.default.removeItem(atPath: "\(dir)/items.csv")
        var settings = EvaluationSettings()
        settings.ks = [5]
        let evaluated = try ModelEvaluation.evaluateSaved(modelDirectory: run.output!, data: nil, settings: settings)
        #expect(evaluated.metrics == report.metrics)
        try EmbeddingExport.export(modelDirectory: run.output!, to: "\(dir)/export")
        let exported = try SafeTensors.read(from: "\(dir)/export/embeddings.safetensors")
        #expect(try exported.matrix("item_embeddings") == again.itemTower.embedAll())
        let recommender = try Recommender(modelDirectory: run.output!)
        #expect(recommender.model.scores(users: users, items: items) == scores)

        // Without the features (same seed, same data) the model would score differently.
        let plain = TwoTowerModel(configuration: run.model, userCount: prepared.userCount, itemCount: prepared.itemCount,
                                  seed: run.training.seed)
        _ = try Trainer(model: plain, configuration: run.training, itemCounts: prepared.split.trainItemCounts).fit(prepared.split.train)
        #expect(plain.scores(users: users, items: items) != scores)
    }

    /// Items without a line hold the reserved missing value, whose embedding row trains.
    @Test func itemsWithoutALineGetTheLearnedMissingEmbedding() throws {
        let dir = temporaryDirectory("feature-missing")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeData(dir)
        var run = Self.run(dir)
        run.output = nil
        let prepared = try run.data.prepare(seed: run.training.seed)
        let genre = try #require(prepared.itemFeatures.first { $0.name == "genre" })
        let year = try #require(prepared.itemFeatures.first { $0.name == "year" })
        let missingId = Int32(genre.vocabularySize - 1)
        guard case .multi(let offsets, let ids) = genre.values, case .numeric(let values, let missing) = year.values else {
            Issue.record("genre should be a bag, year numeric"); return
        }
        let vocabulary = prepared.split.train.itemVocabulary
        for id in ["i28", "i29"] {
            let row = Int(try vocabulary.row(for: id))
            #expect(Array(ids[Int(offsets[row])..<Int(offsets[row + 1])]) == [missingId], "\(id)")
            #expect(missing[row] && values[row] == 0, "\(id): no year")
        }
        let i7 = Int(try vocabulary.row(for: "i7"))
        #expect(missing[i7], "an empty field is missing too")
        let i1 = Int(try vocabulary.row(for: "i1"))
        #expect(!Array(ids[Int(offsets[i1])..<Int(offsets[i1 + 1])]).contains(missingId) && !missing[i1])

        let model = TwoTowerModel(configuration: run.model, userCount: prepared.userCount, itemCount: prepared.itemCount,
                                  itemFeatures: prepared.itemFeatures, seed: run.training.seed)
        let table = try #require(model.parameters.first { $0.name == "item.genre" })
        let before = Array(table.value.row(Int(missingId)))
        _ = try Trainer(model: model, configuration: run.training, itemCounts: prepared.split.trainItemCounts).fit(prepared.split.train)
        #expect(Array(table.value.row(Int(missingId))) != before, "the missing value's embedding is learned")
    }
}
