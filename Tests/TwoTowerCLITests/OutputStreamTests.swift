import Foundation
import Testing
import TowerTestSupport

/// Every command run as the built executable: results on standard output, progress and
/// diagnostics on standard error, so `twotower train ... > results.txt` and pipes get the results.
@Suite struct OutputStreamTests {
    @Test func resultsOnStandardOutputDiagnosticsOnStandardError() throws {
        let dir = temporaryDirectory("cli-streams")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }

        let synth = try CLIProcess.run(["synth", "--out", "\(dir)/data", "--users", "150", "--items", "80",
                                        "--interactions", "3000", "--factors", "4", "--seed", "5"], directory: dir, name: "synth")
        #expect(synth.status == 0, "\(synth.stderr)")
        #expect(synth.stdout.contains("wrote ") && synth.stdout.contains("users"), "synth's summary is its result: \(synth.stdout)")
        #expect(synth.stderr.isEmpty, "\(synth.stderr)")

        let data = ["--data", "\(dir)/data/interactions.csv", "--timestamp-column", "timestamp"]
        let train = try CLIProcess.run(["train"] + data + ["--dim", "4", "--epochs", "2", "--batch-size", "64",
                                                         "--eval-k", "5", "--output", "\(dir)/model"],
                                       directory: dir, name: "train")
        #expect(train.status == 0, "\(train.stderr)")
        // Results: the table and the summary line, nothing else.
        #expect(train.stdout.hasPrefix("metric"), "\(train.stdout)")
        #expect(train.stdout.contains("recall@5") && train.stdout.contains("popularity"))
        #expect(train.stdout.contains("trained 2 epochs in"), "\(train.stdout)")
        for header in ["data:", "train:", "model:", "note:", "epoch 1", "saved the model"] {
            #expect(!train.stdout.contains(header), "\(header) on standard output: \(train.stdout)")
        }
        // Progress and diagnostics: header lines, notes, the progress lines (not a terminal: plain lines).
        for header in ["data: \(dir)/data/interactions.csv", "train: ", "model: mf", "note: validation:",
                       "epoch 1/2", "saved the model to \(dir)/model"] {
            #expect(train.stderr.contains(header), "\(header) missing from standard error: \(train.stderr)")
        }
        let tableHeader = String(train.stdout.split(separator: "\n").first ?? "")
        #expect(!tableHeader.isEmpty && !train.stderr.contains(tableHeader), "the table is a result: \(train.stderr)")

        // --quiet keeps the results and the summary line, and nothing goes to standard error.
        let quiet = try CLIProcess.run(["train"] + data + ["--dim", "4", "--epochs", "1", "--batch-size", "64",
                                                         "--eval-k", "5", "--quiet"], directory: dir, name: "quiet")
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stdout.hasPrefix("metric") && quiet.stdout.contains("trained 1 epoch in"), "\(quiet.stdout)")
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")

        let evaluate = try CLIProcess.run(["evaluate", "--model", "\(dir)/model", "--eval-k", "5"] + data,
                                          directory: dir, name: "evaluate")
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        #expect(evaluate.stdout.hasPrefix("metric") && !evaluate.stdout.contains("note:"), "\(evaluate.stdout)")
        // The validation-set note is train's (the split is redone only to rebuild the training part).
        #expect(!evaluate.stderr.contains("validation"), "\(evaluate.stderr)")

        let user = try String(contentsOfFile: "\(dir)/data/interactions.csv", encoding: .utf8)
            .split(separator: "\n")[1].split(separator: ",")[0]
        let recommend = try CLIProcess.run(["recommend", "--model", "\(dir)/model", "--user", String(user), "--k", "3"],
                                           directory: dir, name: "recommend")
        #expect(recommend.status == 0, "\(recommend.stderr)")
        #expect(recommend.stdout.contains("user \(user)"), "\(recommend.stdout)")

        let export = try CLIProcess.run(["export", "--model", "\(dir)/model", "--out", "\(dir)/export"],
                                        directory: dir, name: "export")
        #expect(export.status == 0 && export.stdout.contains("item_embeddings.npy") && export.stderr.isEmpty,
                "\(export.stdout) \(export.stderr)")

        let inspect = try CLIProcess.run(["inspect"] + data, directory: dir, name: "inspect")
        #expect(inspect.status == 0 && inspect.stdout.contains("users") && inspect.stderr.isEmpty,
                "\(inspect.stdout) \(inspect.stderr)")

        // Errors go to standard error, with a failure status and nothing on standard output.
        let bad = try CLIProcess.run(["recommend", "--model", "\(dir)/model", "--user", "no-such-user"],
                                     directory: dir, name: "bad")
        #expect(bad.status != 0 && bad.stdout.isEmpty && bad.stderr.contains("no-such-user"), "\(bad.stdout) \(bad.stderr)")
    }
}
