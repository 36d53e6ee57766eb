import Foundation
import Testing
import TowerTestSupport

/// `train --item-features`, then `recommend`, `evaluate` and `export` on the saved model, run as
/// the built executable: they score with the features saved in the model, without the file.
@Suite struct FeatureFileCommandTests {
    static func writeData(_ dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var lines = ["user_id,item_id"]
        for u in 0..<40 { for j in 0..<6 { lines.append("u\(u),i\((u * 7 + j * (u % 4 + 1)) % 20)") } }
        try (lines.joined(separator: "\n") + "\n").write(toFile: "\(dir)/interactions.csv", atomically: true, encoding: .utf8)
        var features = ["item_id,genres,year,studio"]
        for i in 0..<19 { features.append("i\(i),\(["a", "b"][i % 2])|\(["x", "y", "z"][i % 3]),\(1990 + i),s\(i % 4)") }
        features.append("nobody,a,2000,s1")
        try (features.joined(separator: "\n") + "\n").write(toFile: "\(dir)/items.csv", atomically: true, encoding: .utf8)
    }

    /// The float32 little-endian payload of a version-1 `.npy` file written by `export`.
    static func npy(_ path: String) throws -> [Float] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        let payload = data.dropFirst(10 + headerLength)
        var values: [Float] = []
        for i in stride(from: payload.startIndex, to: payload.endIndex, by: 4) {
            var bits = UInt32(payload[i])
            bits |= UInt32(payload[i + 1]) << 8
            bits |= UInt32(payload[i + 2]) << 16
            bits |= UInt32(payload[i + 3]) << 24
            values.append(Float(bitPattern: bits))
        }
        return values
    }

    @Test func recommendEvaluateAndExportUseTheSavedFeatures() throws {
        let dir = temporaryDirectory("cli-features")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeData(dir)
        let data = ["--data", "interactions.csv", "--split", "ratio:0.8"]
        let train = try CLIProcess.run(["train"] + data + ["--tower", "mlp", "--layers", "8", "--dim", "8", "--epochs", "2",
                                                         "--no-early-stopping", "--batch-size", "32", "--eval-k", "5",
                                                         "--item-features", "items.csv",
                                                         "--item-feature-columns", "genres:multi,year:numeric,studio",
                                                         "--output", "model", "--no-report"],
                                       directory: dir, name: "train")
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stderr.contains("items.csv: 20 lines, 19 of 20 items have a line (genres:multi, year:numeric, studio:categorical), 1 unknown id ignored (first: \"nobody\", line 21), 1 item without a line gets the missing value"),
                "\(train.stderr)")
        let config = try String(contentsOfFile: "\(dir)/model/config.json", encoding: .utf8)
        #expect(config.contains("\"year\"") && config.contains("\"numeric\"") && config.contains("\"studio\""))

        let before = try CLIProcess.run(["recommend", "--model", "model", "--all-users", "--k", "3", "--out", "before.tsv"],
                                        directory: dir, name: "before")
        #expect(before.status == 0, "\(before.stderr)")
        // The feature file is gone: everything below reads the features saved in the model.
        try FileManager.default.moveItem(atPath: "\(dir)/items.csv", toPath: "\(dir)/items.moved")
        let after = try CLIProcess.run(["recommend", "--model", "model", "--all-users", "--k", "3", "--out", "after.tsv"],
                                       directory: dir, name: "after")
        #expect(after.status == 0, "\(after.stderr)")
        let top = try String(contentsOfFile: "\(dir)/after.tsv", encoding: .utf8)
        #expect(top == (try String(contentsOfFile: "\(dir)/before.tsv", encoding: .utf8)))

        // evaluate (recorded data, no feature file needed) reproduces train's test metrics.
        let evaluate = try CLIProcess.run(["evaluate", "--model", "model", "--eval-k", "5"], directory: dir, name: "evaluate")
        #expect(evaluate.status == 0, "\(evaluate.stderr)")
        let modelLine = { (text: String) in text.split(separator: "\n").filter { $0.hasPrefix("recall@5") || $0.hasPrefix("ndcg@5") } }
        #expect(!modelLine(evaluate.stdout).isEmpty && modelLine(evaluate.stdout) == modelLine(train.stdout),
                "train:\n\(train.stdout)\nevaluate:\n\(evaluate.stdout)")

        // export: user · item of the exported embeddings is recommend's score.
        let export = try CLIProcess.run(["export", "--model", "model", "--out", "emb"], directory: dir, name: "export")
        #expect(export.status == 0, "\(export.stderr)")
        let items = try Self.npy("\(dir)/emb/item_embeddings.npy"), users = try Self.npy("\(dir)/emb/user_embeddings.npy")
        let itemIds = try String(contentsOfFile: "\(dir)/emb/item_ids.txt", encoding: .utf8).split(separator: "\n").map(String.init)
        let userIds = try String(contentsOfFile: "\(dir)/emb/user_ids.txt", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(items.count == itemIds.count * 8 && users.count == userIds.count * 8)
        var checked = 0
        for line in top.split(separator: "\n").dropFirst().prefix(12) {
            let f = line.split(separator: "\t").map(String.init)   // user, rank, item, score
            let u = try #require(userIds.firstIndex(of: f[0])), i = try #require(itemIds.firstIndex(of: f[2]))
            let dot = (0..<8).reduce(Float(0)) { $0 + users[u * 8 + $1] * items[i * 8 + $1] }
            #expect(abs(dot - Float(f[3])!) < 1e-3 * max(1, abs(dot)), "\(line): exported dot \(dot)")
            checked += 1
        }
        #expect(checked == 12)
    }

    @Test func featureFileMistakesAreUsageErrors() throws {
        let dir = temporaryDirectory("cli-features-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeData(dir)
        let base = ["train", "--data", "interactions.csv", "--epochs", "1", "--no-report"]
        let mf = try CLIProcess.run(base + ["--item-features", "items.csv"], directory: dir, name: "mf")
        #expect(mf.status != 0 && mf.stderr.contains("--item-features applies to --tower mlp only"), "\(mf.stderr)")
        let unknown = try CLIProcess.run(base + ["--tower", "mlp", "--item-features", "items.csv", "--item-feature-columns", "genre"],
                                         directory: dir, name: "unknown")
        #expect(unknown.status != 0 && unknown.stderr.contains("items.csv:1: expected a column \"genre\""), "\(unknown.stderr)")
        try "item_id,year\ni1,1999\ni2,soon\n".write(toFile: "\(dir)/bad.csv", atomically: true, encoding: .utf8)
        let bad = try CLIProcess.run(base + ["--tower", "mlp", "--item-features", "bad.csv", "--item-feature-columns", "year:numeric"],
                                     directory: dir, name: "bad")
        #expect(bad.status != 0 && bad.stderr.contains("bad.csv:3: column \"year\": expected a number"), "\(bad.stderr)")
        let kind = try CLIProcess.run(base + ["--tower", "mlp", "--item-features", "items.csv", "--item-feature-columns", "year:float"],
                                      directory: dir, name: "kind")
        #expect(kind.status != 0 && kind.stderr.contains("--item-feature-columns"), "\(kind.stderr)")
    }
}
