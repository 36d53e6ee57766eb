import Foundation
import Testing
import TowerFormats
import TowerTestSupport
import TowerWorkflows
import TwoTower

/// Ctrl-C during `twotower train --output`, sent to the running executable.
@Suite struct InterruptTests {
    @Test func firstSigintSavesTheModelAndExits130() throws {
        let dir = temporaryDirectory("cli-sigint")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let synth = try CLIProcess.run(["synth", "--out", "\(dir)/data", "--users", "200", "--items", "100",
                                        "--interactions", "6000", "--factors", "4", "--seed", "8"], directory: dir, name: "synth")
        #expect(synth.status == 0, "\(synth.stderr)")
        // Far more epochs than the test waits for: only the interrupt ends it.
        let train = try CLIProcess(["train", "--data", "\(dir)/data/interactions.csv", "--timestamp-column", "timestamp",
                                    "--dim", "4", "--batch-size", "32", "--epochs", "100000", "--patience", "100000",
                                    "--eval-k", "5", "--output", "\(dir)/model", "--metrics-out", "\(dir)/metrics.json"],
                                   directory: dir, name: "train")
        // The header lines are on standard error while training runs (flushed, not held back).
        #expect(train.waitForStandardError(containing: "model: mf"), "\(train.stderr)")
        #expect(train.waitForStandardError(containing: "epoch 2: loss"), "\(train.stderr)")
        #expect(train.process.isRunning)
        kill(train.process.processIdentifier, SIGINT)
        train.process.waitUntilExit()

        #expect(train.process.terminationReason == .exit)
        #expect(train.process.terminationStatus == 130, "\(train.stderr)")
        #expect(train.stderr.contains("interrupted: stopped after step"), "\(train.stderr)")
        #expect(train.stdout.hasPrefix("metric") && train.stdout.contains("(interrupted by Ctrl-C)"), "\(train.stdout)")
        let checkpoint = try ModelCheckpoint.load(from: "\(dir)/model")  // a complete model directory
        #expect(checkpoint.items.count > 0)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/metrics.json"))) as! [String: Any]
        let summary = json["train"] as! [String: Any]
        #expect(summary["interrupted"] as? Bool == true)
        #expect((summary["best_epoch"] as! Int) >= 1)
    }
}
