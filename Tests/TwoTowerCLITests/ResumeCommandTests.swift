import Foundation
import Testing
import TowerTestSupport
@testable import TwoTowerCLI

/// `twotower train --resume DIR`, run as the built executable: a run stopped by Ctrl-C and
/// resumed saves the uninterrupted run's model; flags that change the training are refused,
/// naming the flag.
@Suite struct ResumeCommandTests {
    @Test func ctrlCThenResumeEqualsTheUninterruptedRun() throws {
        let dir = temporaryDirectory("cli-resume")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let synth = try CLIProcess.run(["synth", "--out", "\(dir)/data", "--users", "200", "--items", "100",
                                        "--interactions", "3000", "--factors", "4", "--seed", "8"], directory: dir, name: "synth")
        #expect(synth.status == 0, "\(synth.stderr)")
        let flags = ["--data", "\(dir)/data/interactions.csv", "--timestamp-column", "timestamp", "--dim", "4",
                     "--batch-size", "32", "--epochs", "30", "--patience", "100", "--eval-k", "5", "--logq", "streaming",
                     "--sampler", "in-batch", "--sampler", "uniform:16", "--no-report"]
        let full = try CLIProcess.run(["train"] + flags + ["--output", "\(dir)/full"], directory: dir, name: "full")
        #expect(full.status == 0, "\(full.stderr)")

        let train = try CLIProcess(["train"] + flags + ["--output", "\(dir)/part"], directory: dir, name: "part")
        #expect(train.waitForStandardError(containing: "epoch 2: loss"), "\(train.stderr)")
        kill(train.process.processIdentifier, SIGINT)
        train.process.waitUntilExit()
        #expect(train.process.terminationStatus == 130, "\(train.stderr)")

        let other = try CLIProcess.run(["train", "--resume", "\(dir)/part", "--learning-rate", "0.5"], directory: dir, name: "other")
        #expect(other.status != 0)
        #expect(other.stderr.contains("--learning-rate 0.5 differs from the run being resumed"), "\(other.stderr)")

        let resumed = try CLIProcess.run(["train", "--resume", "\(dir)/part", "--quiet"], directory: dir, name: "resumed")
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let a = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/full/model.safetensors"))
        let b = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/part/model.safetensors"))
        #expect(a == b, "the resumed model differs from the uninterrupted one")
        #expect(resumed.stdout.contains("trained 30 epochs"), "\(resumed.stdout)")
    }

    @Test func savedFlagsComeFirstAndGivenFlagsReplaceThem() {
        let saved = ["--data", "x.csv", "--sampler", "in-batch", "--sampler", "uniform:8", "--epochs=2", "--l2-normalize"]
        let groups = TrainResumeArguments.flagGroups(saved + ["--epochs", "5"]).map(\.flag)
        #expect(groups == ["--data", "--sampler", "--sampler", "--epochs", "--l2-normalize", "--epochs"])
        #expect(TrainResumeArguments.saved(["--output", "m", "--resume", "m", "--dim", "8"]) == ["--dim", "8"])
    }
}
