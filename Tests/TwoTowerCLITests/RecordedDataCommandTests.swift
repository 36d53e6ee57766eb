import Foundation
import Testing
import TowerTestSupport

/// `evaluate` without `--data` and `recommend --all-users/--json/--show-history`, run as the
/// built executable (issue 12).
@Suite struct RecordedDataCommandTests {
    @Test func evaluateAndRecommendReadTheDataRecordedInTheModel() throws {
        let dir = temporaryDirectory("cli-recorded")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let synth = try CLIProcess.run(["synth", "--out", "\(dir)/data", "--users", "120", "--items", "60",
                                        "--interactions", "2400", "--factors", "4", "--seed", "3"], directory: dir, name: "synth")
        #expect(synth.status == 0, "\(synth.stderr)")
        let data = ["--data", "data/interactions.csv", "--timestamp-column", "timestamp", "--split", "ratio:0.8"]
        let train = try CLIProcess.run(["train"] + data + ["--dim", "4", "--epochs", "1", "--batch-size", "64",
                                                         "--eval-k", "5", "--output", "model", "--no-report"],
                                       directory: dir, name: "train")
        #expect(train.status == 0, "\(train.stderr)")

        // Without --data: the recorded file (a relative path at training time, absolute in the
        // record), split and seed give the same table as the explicit options.
        let given = try CLIProcess.run(["evaluate", "--model", "model", "--eval-k", "5"] + data, directory: dir, name: "given")
        let recorded = try CLIProcess.run(["evaluate", "--model", "model", "--eval-k", "5"], directory: dir, name: "recorded")
        #expect(given.status == 0 && recorded.status == 0, "\(given.stderr) \(recorded.stderr)")
        #expect(recorded.stdout == given.stdout && recorded.stdout.hasPrefix("metric"), "\(recorded.stdout)")
        #expect(recorded.stderr.contains("note: data: \(dir)/data/interactions.csv (csv, split ratio:0.8, seed 42"), "\(recorded.stderr)")

        // --all-users --out: a TSV with a header and k rows for every user; --json: one object per line.
        let all = try CLIProcess.run(["recommend", "--model", "model", "--all-users", "--k", "3", "--block", "7", "--out", "top.tsv"],
                                     directory: dir, name: "all")
        #expect(all.status == 0 && all.stdout.isEmpty, "\(all.stdout) \(all.stderr)")
        #expect(all.stderr.contains("recommend: 120/120 users"), "\(all.stderr)")
        let rows = try String(contentsOfFile: "\(dir)/top.tsv", encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "user\trank\titem\tscore" && rows.count == 1 + 3 * 120)
        #expect(Set(rows.dropFirst().map { $0.split(separator: "\t")[0] }).count == 120)
        let user = String(rows[1].split(separator: "\t")[0])
        let json = try CLIProcess.run(["recommend", "--model", "model", "--user", user, "--k", "3", "--json", "--show-history", "2"],
                                      directory: dir, name: "json")
        #expect(json.status == 0, "\(json.stderr)")
        let lines = json.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["user"] as? String == user)
        #expect((object["items"] as? [[String: Any]])?.map { $0["item"] as? String } == rows[1...3].map { String($0.split(separator: "\t")[2]) })
        #expect((object["history"] as? [Any])?.count == 2)

        // The file changes: evaluate without --data names it and what differs.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(dir)/data/interactions.csv"))
        try handle.seekToEnd(); try handle.write(contentsOf: Data("1,1,1\n".utf8)); try handle.close()
        let changed = try CLIProcess.run(["evaluate", "--model", "model"], directory: dir, name: "changed")
        #expect(changed.status != 0 && changed.stdout.isEmpty, "\(changed.stdout)")
        #expect(changed.stderr.contains("\(dir)/data/interactions.csv is ") && changed.stderr.contains("bytes, was"), "\(changed.stderr)")
    }
}
