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
