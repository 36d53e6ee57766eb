import Foundation
import Testing
import TowerTestSupport
import TowerFormats
import TowerWorkflows
import TwoTower
@testable import TwoTowerCLI

/// The commands run in-process on a tiny synthetic dataset: synth → train (save) → evaluate →
/// recommend → export → inspect, each reading what the previous one wrote.
@Suite struct CommandRunTests {
    @Test func synthTrainEvaluateRecommendExport() throws {
        let dir = temporaryDirectory("cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SynthCommand.parse(["--out", dir, "--users", "200", "--items", "120", "--interactions", "4000",
                                "--factors", "4", "--seed", "3"]).run()
        let csv = "\(dir)/interactions.csv"
        #expect(FileManager.default.fileExists(atPath: csv))
        let model = "\(dir)/model", metrics = "\(dir)/metrics.json"
        let data = ["--data", csv, "--timestamp-column", "timestamp"]
        try TrainCommand.parse(data + ["--dim", "8", "--epochs", "2", "--batch-size", "64", "--eval-k", "5,10",
                                       "--output", model, "--metrics-out", metrics, "--quiet"]).run()
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: metrics))) as! [String: Any]
        let baselines = json["baselines"] as! [String: [String: Double]]
        #expect(Set(baselines.keys) == ["popularity", "random", "oracle"], "truth.bin beside the CSV gives the oracle")
        let trained = (json["metrics"] as! [String: Double])["recall@10"]!
        #expect((json["train"] as! [String: Any])["examples_per_second"] as! Double > 0)

        // Evaluating the saved model on the same data and split reproduces the training run's figure.
        let again = "\(dir)/again.json"
        try EvaluateCommand.parse(data + ["--model", model, "--eval-k", "5,10", "--metrics-out", again]).run()
        let evaluated = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: again))) as! [String: Any]
        #expect((evaluated["metrics"] as! [String: Double])["recall@10"]! == trained)

        let recommender = try Recommender(modelDirectory: model)
        let user = recommender.checkpoint.users.ids[0]
        let top = try recommender.recommend(user: user, k: 5)
        #expect(top.count == 5 && zip(top, top.dropFirst()).allSatisfy { $0.score >= $1.score })
        let row = try recommender.checkpoint.users.row(for: user)
        let seen = Set(recommender.checkpoint.trainItemsByUser[Int(row)].map { recommender.checkpoint.items.id(of: $0) })
        #expect(top.allSatisfy { !seen.contains($0.item) }, "seen items are excluded")
        try RecommendCommand.parse(["--model", model, "--user", user, "--k", "3"]).run()
        #expect(throws: (any Error).self) { try RecommendCommand.parse(["--model", model, "--user", "no-such-user"]).run() }

        try ExportCommand.parse(["--model", model, "--out", "\(dir)/export"]).run()
        let items = try Npy.read(from: "\(dir)/export/item_embeddings.npy")
        #expect(items.shape == [recommender.checkpoint.items.count, 8])
        let ids = try String(contentsOfFile: "\(dir)/export/item_ids.txt", encoding: .utf8).split(separator: "\n")
        #expect(ids.map(String.init) == recommender.checkpoint.items.ids)
        try InspectCommand.parse(data).run()
    }

    @Test func trainWritesTensorBoardEvents() throws {
        let dir = temporaryDirectory("cli-tensorboard")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SynthCommand.parse(["--out", dir, "--users", "120", "--items", "60", "--interactions", "1500",
                                "--factors", "4", "--seed", "4"]).run()
        let data = ["--data", "\(dir)/interactions.csv", "--timestamp-column", "timestamp", "--dim", "4",
                    "--epochs", "1", "--batch-size", "256", "--eval-k", "5", "--no-early-stopping", "--quiet"]
        try TrainCommand.parse(data + ["--tensorboard", "\(dir)/logs/run"]).run()
        let files = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/logs/run")
        #expect(files.count == 1 && files[0].hasPrefix("events.out.tfevents."), "\(files)")
        let size = try FileManager.default.attributesOfItem(atPath: "\(dir)/logs/run/\(files[0])")[.size] as? Int ?? 0
        #expect(size > 100)
        // A directory that cannot be created stops the command before training, naming the path.
        do {
            try TrainCommand.parse(data + ["--tensorboard", "\(dir)/interactions.csv/logs"]).run()
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("\(dir)/interactions.csv/logs: cannot create the TensorBoard directory"), "\(error)")
        }
    }

    @Test func missingFilesAndForeignModelsAreClearErrors() throws {
        let dir = temporaryDirectory("cli-errors")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: (any Error).self) { try TrainCommand.parse(["--data", "\(dir)/none.csv", "--quiet"]).run() }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: "\(dir)/config.json"))
        do {
            try RecommendCommand.parse(["--model", dir, "--user", "1"]).run()
            Issue.record("a foreign directory was accepted as a model")
        } catch {
            #expect("\(error)".contains("config.json"), "\(error)")
        }
    }
}
