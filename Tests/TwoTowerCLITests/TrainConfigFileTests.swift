import ArgumentParser
import Foundation
import Testing
import TowerTestSupport
import TowerWorkflows
import TwoTower
@testable import TwoTowerCLI

/// `train --config FILE`: the file's keys are train's long flags, the command line overrides
/// them, bad files are errors naming the file and the key, and what `tune --best-config` writes
/// reads back as the same configuration.
@Suite struct TrainConfigFileTests {
    static func write(_ text: String, in dir: String, name: String = "config.json") throws -> String {
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func train(_ arguments: [String]) throws -> TrainingRun {
        try TrainCommand.parse(try TrainConfigFile.expand(arguments)).makeRun()
    }

    @Test func fileSettingsReachTheRunAndFlagsOverrideThem() throws {
        let dir = temporaryDirectory("config")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try Self.write("""
            {"learning-rate": 0.003, "dim": 32, "l2-normalize": true, "temperature": 0.1,
             "sampler": ["in-batch", "uniform:128"], "logq": "none", "epochs": 7, "no-early-stopping": true,
             "eval-k": [5, 20], "tower": "mlp", "layers": "64,32", "seed": 9}
            """, in: dir)
        let run = try Self.train(["--config", path])
        #expect(run.training.learningRate == 0.003 && run.model.dimensions == 32 && run.model.l2Normalize)
        #expect(run.training.temperature == 0.1 && run.training.logQ == LogQMode.none && run.training.seed == 9)
        #expect(run.training.samplers == [.inBatch, .uniform(count: 128)])
        #expect(run.training.epochs == 7 && run.training.patience == nil)
        #expect(run.evaluation.ks == [5, 20] && run.model.hiddenLayers == [64, 32])

        // A flag on the command line wins, whichever side of --config it is on; a repeated flag
        // replaces the file's whole list.
        let overridden = try Self.train(["--learning-rate", "0.02", "--config=\(path)", "--sampler", "uniform:64", "--dim", "16"])
        #expect(overridden.training.learningRate == 0.02 && overridden.model.dimensions == 16)
        #expect(overridden.training.samplers == [.uniform(count: 64)])
        #expect(overridden.training.temperature == 0.1 && overridden.training.epochs == 7)
        // Without --config the arguments are left alone.
        #expect(try TrainConfigFile.expand(["--dim", "8"]) == ["--dim", "8"])
    }

    @Test func badFilesAreErrorsNamingTheFileAndTheKey() throws {
        let dir = temporaryDirectory("config-errors")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases: [(String, String)] = [
            (#"{"learning_rate": 0.1}"#, #"unknown key "learning_rate" (did you mean "learning-rate"?)"#),
            (#"{"lr": 0.1}"#, #"unknown key "lr""#),
            (#"{"learning-rate": "fast"}"#, #""learning-rate" must be a number, found the string "fast""#),
            (#"{"epochs": 2.5}"#, #""epochs" must be an integer"#),
            (#"{"l2-normalize": 1}"#, #""l2-normalize" must be true or false"#),
            (#"{"loss": "hinge"}"#, #""loss" must be one of softmax, bpr, ccl"#),
            (#"{"sampler": [1]}"#, #""sampler" must be an array of strings"#),
            (#"{"eval-k": [10, "x"]}"#, #""eval-k" must be a string such as"#),
            (#"{"epochs": "3"}"#, #""epochs" must be an integer, found the string "3""#),
            (#"{"sampler": "in-batch"}"#, #""sampler" must be an array of strings"#),
            (#"{"epochs": 1e400}"#, #""epochs" holds the number 1e400, beyond the range"#),
            (#"{"epochs": 1, "epochs": 2}"#, #"the key "epochs" is given twice"#),
            (#"{"sampler": ["a,b"], "x\u0079": {"epochs": 1}, "xy": 2}"#, #"the key "xy" is given twice"#),
            ("[1]", "expected a JSON object"),
            ("{", "not valid JSON"),
        ]
        for (text, expected) in cases {
            let path = try Self.write(text, in: dir)
            do {
                _ = try TrainConfigFile.expand(["--config", path])
                Issue.record("\(text) was accepted")
            } catch {
                let message = TrainCommand.message(for: error)
                #expect(message.contains("--config \(path)") && message.contains(expected), "\(message)")
            }
        }
        #expect(throws: (any Error).self) { try TrainConfigFile.expand(["--config", dir + "/missing.json"]) }
        #expect(throws: (any Error).self) { try TrainConfigFile.expand(["--config"]) }
        // A wrong type is reported even when the command line overrides the key.
        let path = try Self.write(#"{"dim": "big"}"#, in: dir)
        #expect(throws: (any Error).self) { try TrainConfigFile.expand(["--config", path, "--dim", "8"]) }
    }

    /// Every option `train --help` lists is a key (except --config itself), and every key is an option.
    @Test func keysAreTrainsFlags() throws {
        let help = TrainCommand.helpMessage(columns: 400)
        var flags = Set<String>()
        for line in help.split(separator: "\n") {
            let text = String(line)
            guard let range = text.range(of: #"^  (-[a-z], )?--[a-z0-9-]+"#, options: .regularExpression) else { continue }
            flags.insert(String(text[range].split(separator: " ").last!.dropFirst(2)))
        }
        flags.subtract(["config", "help", "version"])
        #expect(flags == Set(TrainConfigFile.keys.keys), "missing: \(flags.subtracting(TrainConfigFile.keys.keys).sorted()), extra: \(Set(TrainConfigFile.keys.keys).subtracting(flags).sorted())")
    }

    /// What `tune --best-config` writes makes `train --config` build the same configuration.
    @Test(arguments: [false, true])
    func bestConfigRoundTrips(ccl: Bool) throws {
        let dir = temporaryDirectory("best-config")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var model = ModelConfiguration(), training = TrainingConfiguration()
        model.dimensions = 48
        model.l2Normalize = true
        training.learningRate = 0.003
        training.weightDecay = 0.01
        training.samplers = [.inBatch, .uniform(count: 1024)]
        training.epochs = 11
        training.patience = nil
        training.seed = 123
        training.batchSize = 512
        training.lossReduction = .mean   // what the command line builds (nil means mean too)
        if ccl {
            training.loss = .ccl
            training.logQ = .none
            training.cclMargin = 0.8
            training.cclNegativeWeight = 100
        } else {
            training.temperature = 0.05
            training.logQ = .streaming
            training.embeddingL2 = 0.03
            training.learningRateDecay = .cosine
            training.minimumLearningRate = 0.0001
            training.warmupSteps = 20
        }
        let path = dir + "/best.json"
        try TrainConfigFile.json(model: model, training: training).write(to: URL(fileURLWithPath: path))
        let run = try Self.train(["--config", path])
        #expect(run.model == model)
        #expect(run.training == training)
    }

    /// `tune` on a tiny synthetic file writes a best configuration that `train --config` reads
    /// back as the winner's configuration.
    @Test func tuneWritesWhatTrainReads() throws {
        let dir = temporaryDirectory("tune-cli")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SynthCommand.parse(["--out", dir, "--users", "120", "--items", "60", "--interactions", "2000",
                                "--factors", "4", "--seed", "3"]).run()
        let data = ["--data", dir + "/interactions.csv", "--timestamp-column", "timestamp"]
        let best = dir + "/best.json", metrics = dir + "/tuned.json"
        let tune = try TuneCommand.parse(data + ["--trials", "3", "--max-epochs", "2", "--dims", "8", "--batch-size", "64",
                                                 "--learning-rates", "0.01,0.05", "--losses", "softmax", "--samplers", "in-batch,in-batch+uniform:16", "--eval-k", "10",
                                                 "--metric", "recall@10", "--best-config", best, "--metrics-out", metrics, "--quiet"])
        try tune.run()
        let run = try Self.train(data + ["--config", best, "--eval-k", "10"])
        #expect(run.model.dimensions == 8 && run.training.batchSize == 64 && run.training.patience == nil)
        #expect([Float(0.01), 0.05].contains(run.training.learningRate))
        // The same configuration gives the same test figure as tune's final run.
        let again = dir + "/again.json"
        try TrainCommand.parse(try TrainConfigFile.expand(data + ["--config", best, "--eval-k", "10", "--metrics-out", again, "--quiet"])).run()
        func recall(_ path: String) throws -> Double {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
            return (json["metrics"] as! [String: Double])["recall@10"]!
        }
        #expect(try recall(again) == recall(metrics))
    }

    @Test func tuneOptionsAreChecked() throws {
        func message(_ arguments: [String]) -> String {
            do { _ = try TuneCommand.parse(arguments); return "" } catch { return TuneCommand.message(for: error) }
        }
        #expect(message([]).contains("--time-budget"))
        #expect(message(["--time-budget", "30"]).contains("--time-budget \"30\": expected a duration"))
        #expect(message(["--trials", "0"]).contains("--trials must be at least 1"))
        #expect(message(["--trials", "2", "--dims", "8,x"]).contains("--dims 8,x"))
        #expect(message(["--trials", "2", "--metric", "recall"]).contains("--metric"))
        #expect(message(["--trials", "2", "--min-epochs", "5", "--max-epochs", "2"]).contains("--max-epochs"))
        let run = try TuneCommand.parse(["--time-budget", "1h30m", "--learning-rates", "0.1", "--seed", "7"]).makeRun()
        #expect(run.timeBudget == 5400 && run.space.learningRates == [0.1] && run.training.seed == 7 && run.trials == nil)
    }
}
