import Foundation
import Testing
import TowerData
import TowerFormats
import TowerTestSupport
@testable import TowerWorkflows
import TwoTower

/// Resumable checkpoints: a run stopped after epoch 2 of 4 and resumed from its output directory
/// ends with exactly the uninterrupted run's model; damaged, old and mismatched checkpoints are
/// refused with errors that name the file and the field, or the setting.
@Suite struct ResumeTests {
    /// Requests a stop at the first step of `epoch` (what Ctrl-C does): epochs before it are
    /// complete and checkpointed.
    final class StopAt: TrainingObserver {
        let stop: StopRequest, epoch: Int
        init(_ stop: StopRequest, epoch: Int) { self.stop = stop; self.epoch = epoch }
        func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int) {
            if epoch == self.epoch && step == 2 { _ = stop.request() }
        }
    }

    enum Setup: String, CaseIterable, Sendable {
        case mfAdam, mfAdagrad, mlpAdam, mlpAdagrad
    }

    /// Small and fast; logQ streaming with mixed negatives (in-batch + uniform), validation and
    /// early stopping state; MLP towers with dropout and a cross-batch cache.
    static func run(_ setup: Setup, epochs: Int = 4, output: String) -> TrainingRun {
        var run = TrainingRun()
        run.data.synthetic = SyntheticConfiguration(users: 200, items: 120, interactions: 5_000, factors: 6, seed: 3)
        run.model.dimensions = 8
        run.training.epochs = epochs
        run.training.batchSize = 128
        run.training.logQ = .streaming
        run.training.samplers = [.inBatch, .uniform(count: 24)]
        run.training.patience = 3
        run.evaluation.ks = [10, 20]
        switch setup {
        case .mfAdam, .mlpAdam:
            run.training.optimizer = .adam
            run.training.learningRate = 0.02
        case .mfAdagrad, .mlpAdagrad:
            run.training.optimizer = .adagrad
            run.training.learningRate = 0.1
        }
        if setup == .mlpAdam || setup == .mlpAdagrad {
            run.model.tower = .mlp
            run.model.hiddenLayers = [16]
            run.model.dropout = 0.2
            run.training.samplers = [.inBatch, .uniform(count: 24), .crossBatch(capacity: 256)]
        }
        run.output = output
        return run
    }

    static func weights(_ dir: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: dir + "/model.safetensors")) }

    @Test(arguments: Setup.allCases)
    func stoppedAfterEpochTwoAndResumedEqualsUninterrupted(_ setup: Setup) throws {
        let dir = temporaryDirectory("resume")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let full = try Self.run(setup, output: "\(dir)/full").run()

        // Stopped in epoch 3 (its first steps are thrown away), resumed from the epoch-2 checkpoint.
        var first = Self.run(setup, output: "\(dir)/part")
        let stop = StopRequest()
        first.stop = stop
        let stopped = try first.run(progress: StopAt(stop, epoch: 3))
        #expect(stopped.training.interrupted)
        #expect(try ResumeCheckpoint.read(from: "\(dir)/part").fit.progress.epochs == 2)
        var second = Self.run(setup, output: "\(dir)/part")
        second.resume = "\(dir)/part"
        let resumed = try second.run()

        #expect(try Self.weights("\(dir)/part") == Self.weights("\(dir)/full"), "final models differ (\(setup))")
        #expect(resumed.training.epochLosses == full.training.epochLosses)
        #expect(resumed.training.validation == full.training.validation)
        #expect(resumed.training.bestEpoch == full.training.bestEpoch && resumed.training.epochs == full.training.epochs)
        #expect(resumed.metrics.dictionary == full.metrics.dictionary)
        #expect(resumed.history?.totalSteps == full.history?.totalSteps)
        // The two checkpoints hold the same state (every tensor), counters and history.
        let a = try ResumeCheckpoint.read(from: "\(dir)/full"), b = try ResumeCheckpoint.read(from: "\(dir)/part")
        var progress = b.fit.progress
        progress.seconds = a.fit.progress.seconds  // wall-clock
        #expect(a.state == b.state)
        #expect(a.fit.progress == progress)
        #expect(a.history?.losses == b.history?.losses && a.history?.epochEnds == b.history?.epochEnds)
    }

    /// A finished run continued with more epochs equals a run given them from the start.
    @Test func raisingEpochsContinuesLikeTheLongerRun() throws {
        let dir = temporaryDirectory("resume-epochs")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var long = Self.run(.mfAdam, output: "\(dir)/long")
        long.training.patience = nil
        _ = try long.run()
        var short = Self.run(.mfAdam, epochs: 2, output: "\(dir)/short")
        short.training.patience = nil
        _ = try short.run()
        var more = Self.run(.mfAdam, epochs: 4, output: "\(dir)/short")
        more.training.patience = nil
        more.resume = "\(dir)/short"
        _ = try more.run()
        #expect(try Self.weights("\(dir)/short") == Self.weights("\(dir)/long"))

        // Fewer epochs than done, or more with a decay spanning the epochs: refused.
        var fewer = more
        fewer.training.epochs = 3
        #expect { try fewer.run() } throws: { ($0 as? ConfigurationError)?.field == "epochs" }
        var decayed = Self.run(.mfAdam, epochs: 2, output: "\(dir)/decay")
        decayed.training.patience = nil
        decayed.training.learningRateDecay = .cosine
        _ = try decayed.run()
        decayed.training.epochs = 4
        decayed.resume = "\(dir)/decay"
        #expect { try decayed.run() } throws: { error in
            guard let e = error as? ConfigurationError else { return false }
            return e.field == "epochs" && e.template.contains("{learningRateDecay}")
        }
    }

    @Test func otherSettingsAreRefusedNamingTheSetting() throws {
        let dir = temporaryDirectory("resume-settings")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try Self.run(.mfAdam, epochs: 2, output: dir).run()
        var other = Self.run(.mfAdam, epochs: 2, output: dir)
        other.resume = dir
        other.training.learningRate = 0.03
        other.model.dimensions = 12
        #expect { try other.run() } throws: { error in
            guard let e = error as? ConfigurationError else { return false }
            return e.template.contains("{learningRate} 0.03") && e.template.contains("(0.02)") && e.template.contains("{dimensions} 12")
        }
    }

    /// Copies the output directory as it stands at the second step of `epoch` — what a crash
    /// (kill -9, power loss) there would leave on disk.
    final class CopyAt: TrainingObserver {
        let source: String, destination: String, epoch: Int
        init(_ source: String, to destination: String, epoch: Int) { self.source = source; self.destination = destination; self.epoch = epoch }
        func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int) {
            guard epoch == self.epoch, step == 2, FileManager.default.fileExists(atPath: source) else { return }
            try? FileManager.default.copyItem(atPath: source, toPath: destination)
        }
    }

    /// `--checkpoint-every 2`: epochs 2 and 4 reach the disk, epoch 3 does not; a run "crashed" in
    /// epoch 4 (its directory copied there) holds the epoch-2 checkpoint, and resuming it gives
    /// the uninterrupted run's model bit for bit.
    @Test(arguments: [Setup.mfAdam, .mlpAdagrad])
    func checkpointEveryTwoEpochsResumesBitIdentical(_ setup: Setup) throws {
        let dir = temporaryDirectory("resume-every")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func run(_ output: String) -> TrainingRun {
            var r = Self.run(setup, epochs: 5, output: output)
            r.training.patience = nil  // all 5 epochs
            r.checkpointEvery = .epochs(2)
            return r
        }
        let full = try run("\(dir)/full").run(progress: ObserverGroup([CopyAt("\(dir)/full", to: "\(dir)/crash3", epoch: 3),
                                                                       CopyAt("\(dir)/full", to: "\(dir)/crash4", epoch: 4)]))
        #expect(try ResumeCheckpoint.read(from: "\(dir)/crash3").fit.progress.epochs == 2)
        #expect(try ResumeCheckpoint.read(from: "\(dir)/crash4").fit.progress.epochs == 2, "epoch 3 was written")
        #expect(try ResumeCheckpoint.read(from: "\(dir)/full").fit.progress.epochs == 5)

        var resumed = run("\(dir)/crash4")
        resumed.resume = "\(dir)/crash4"
        let second = try resumed.run()
        #expect(try Self.weights("\(dir)/crash4") == Self.weights("\(dir)/full"), "final models differ (\(setup))")
        #expect(second.training.epochLosses == full.training.epochLosses)
        #expect(second.metrics.dictionary == full.metrics.dictionary)
        let a = try ResumeCheckpoint.read(from: "\(dir)/full"), b = try ResumeCheckpoint.read(from: "\(dir)/crash4")
        #expect(a.state == b.state)

        // No checkpoint at all (0): the same model, and nothing to resume from.
        var none = run("\(dir)/none")
        none.checkpointEvery = .never
        _ = try none.run(progress: CopyAt("\(dir)/none", to: "\(dir)/none-crash", epoch: 3))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/none-crash"), "a checkpoint was written with --checkpoint-every 0")
        #expect(try Self.weights("\(dir)/none") == Self.weights("\(dir)/full"))
        #expect(throws: PersistenceError.self) { try ResumeCheckpoint.read(from: "\(dir)/none") }
    }

    /// The default, time-based schedule writes nothing during a run shorter than its interval;
    /// the final save still holds the last completed epoch's checkpoint, so a run stopped by
    /// Ctrl-C resumes to the uninterrupted model.
    @Test func timeBasedScheduleKeepsTheLastEpochForTheFinalSave() throws {
        let dir = temporaryDirectory("resume-interval")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var full = Self.run(.mfAdam, output: "\(dir)/full")
        full.checkpointEvery = .interval(seconds: 3600)
        _ = try full.run()
        var first = Self.run(.mfAdam, output: "\(dir)/part")
        first.checkpointEvery = .interval(seconds: 3600)
        let stop = StopRequest()
        first.stop = stop
        _ = try first.run(progress: ObserverGroup([CopyAt("\(dir)/part", to: "\(dir)/crash", epoch: 3), StopAt(stop, epoch: 3)]))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/crash"), "a checkpoint was written before the interval passed")
        #expect(try ResumeCheckpoint.read(from: "\(dir)/part").fit.progress.epochs == 2)
        var second = Self.run(.mfAdam, output: "\(dir)/part")
        second.resume = "\(dir)/part"
        _ = try second.run()
        #expect(try Self.weights("\(dir)/part") == Self.weights("\(dir)/full"))
    }

    /// Setting mismatches name each field once (`seed` is the training and the evaluation seed),
    /// with plain values — not Swift's `Optional("…")`.
    @Test func mismatchMessagesNameEachFieldOnceWithPlainValues() throws {
        var a = Self.run(.mfAdam, output: "/tmp/unused")
        a.data.path = "a/ratings.csv"
        a.data.timestampColumn = "ts"
        var b = a
        b.data.timestampColumn = "time"
        b.data.split = .ratio(train: 0.8, validation: 0)
        b.training.seed = 7
        b.evaluation.seed = 7
        let message = TrainingRun.settingDifferences(saved: try a.resumeSettings(), given: try b.resumeSettings())
        #expect(message.contains("{timestampColumn} time differs from the run being resumed (ts)"), "\(message)")
        #expect(message.contains("{split} ratio:0.8 differs from the run being resumed (unset)"), "\(message)")
        #expect(message.components(separatedBy: "{seed}").count == 2, "\(message)")
        #expect(!message.contains("Optional"), "\(message)")
        // The data's path is not a setting: how it is spelt depends on the working directory.
        var c = a
        c.data.path = "/somewhere/a/ratings.csv"
        #expect(try a.resumeSettings() == c.resumeSettings())
    }

    /// Checkpoints of earlier builds kept the data fields as Swift printed them and the paths:
    /// they still match the same run.
    @Test func settingsOfEarlierBuildsStillMatch() throws {
        var run = Self.run(.mfAdam, output: "/tmp/unused")
        run.data.path = "/data/ratings.csv"
        run.data.timestampColumn = "ts"
        run.data.split = .ratio(train: 0.8, validation: 0)
        let current = try run.resumeSettings()
        var object = try #require(try JSONSerialization.jsonObject(with: Data(current.utf8)) as? [String: Any])
        var data = try #require(object["data"] as? [String: String])
        data["path"] = "Optional(\"ratings.csv\")"
        data["timestampColumn"] = "Optional(\"ts\")"
        data["ratingColumn"] = "nil"
        data["testPath"] = "nil"
        data["split"] = String(describing: run.data.split)  // what the earlier builds wrote
        #expect(data["split"]!.hasPrefix("Optional("))
        object["data"] = data
        let old = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        let respelt = TrainingRun.currentSettingSpelling(old)
        #expect(respelt == current || TrainingRun.sameSettings(respelt, current), "\(respelt)\n\(current)")
        var other = run
        other.data.timestampColumn = "time"
        #expect(!TrainingRun.sameSettings(respelt, try other.resumeSettings()))
    }

    @Test func damagedOrOldCheckpointsNameTheFileAndField() throws {
        let dir = temporaryDirectory("resume-damaged")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/run"
        _ = try Self.run(.mfAdam, epochs: 1, output: path).run()
        let saved = try ResumeCheckpoint.read(from: path)
        let file = "\(path)/\(ResumeCheckpoint.fileName)"
        let contents = try ModelDirectory.read(SavedModelConfiguration.self, from: path)

        /// Saves the model directory again with `resume` as its checkpoint file (nil: none).
        func rewrite(_ resume: Data?) throws {
            var extra = contents.extraFiles
            extra[ResumeCheckpoint.fileName] = resume
            try ModelDirectory.write(to: path, config: contents.config, tensors: contents.weights.tensors,
                                     metadata: ["twotower.kind": "two-tower-model"], extraFiles: extra)
        }
        func edited(_ change: (inout SafeTensors) -> Void) throws -> Data {
            var t = try SafeTensors.decode(saved.bytes)
            change(&t)
            return t.encoded()
        }
        func resumeError() -> Error? {
            var run = Self.run(.mfAdam, epochs: 2, output: path)
            run.resume = path
            do { _ = try run.run(); return nil } catch { return error }
        }

        try rewrite(nil)  // a model saved without a checkpoint (an older twotower)
        #expect("\(resumeError()!)".contains(ResumeCheckpoint.fileName), "\(resumeError()!)")

        try rewrite(try edited { $0.metadata["resume_format_version"] = "2" })
        #expect(resumeError() as? PersistenceError == .unsupportedFormatVersion(path: file, found: 2, supported: 1))

        try rewrite(try edited { $0.metadata["progress"] = "{\"epochs\": 1" })
        let progress = "\(resumeError()!)"
        #expect(progress.contains(file) && progress.contains("\"progress\""), "\(progress)")

        try rewrite(try edited { $0.tensors["optimizer/step"] = nil })
        #expect(resumeError() as? PersistenceError == .missingTensor(file: file, name: "optimizer/step"))

        try rewrite(try edited { $0.tensors["logq/gap"] = StoredTensor([Float](repeating: 1, count: 3)) })
        let gap = "\(resumeError()!)"
        #expect(gap.contains(file) && gap.contains("logq/gap") && gap.contains("expected"), "\(gap)")

        let name = contents.weights.tensors.keys.sorted().first { $0.hasPrefix("item.") }!
        try rewrite(try edited { $0.tensors["param/" + name] = StoredTensor([Float](repeating: 0, count: 5)) })
        let param = "\(resumeError()!)"
        #expect(param.contains(file) && param.contains("param/" + name), "\(param)")

        // Flipped bytes inside the file: the manifest's checksum names it.
        var bytes = saved.bytes
        bytes[bytes.count - 3] ^= 0xFF
        try rewrite(saved.bytes)
        let manifestEntryPath = "\(path)/config.json"
        #expect(FileManager.default.fileExists(atPath: manifestEntryPath))
        try bytes.write(to: URL(fileURLWithPath: file))
        let flipped = "\(resumeError()!)"
        #expect(flipped.contains(ResumeCheckpoint.fileName), "\(flipped)")
    }
}
