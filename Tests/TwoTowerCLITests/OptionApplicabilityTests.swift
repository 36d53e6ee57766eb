import ArgumentParser
import Foundation
import Testing
import TowerTestSupport
@testable import TwoTowerCLI

/// Options that do not apply to the chosen configuration: contradictions are usage errors naming
/// both flags, harmless no-ops are warnings; the defaults raise nothing.
@Suite struct OptionApplicabilityTests {
    private func errorMessage(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return TrainCommand.message(for: error) }
    }

    @Test func defaultsRaiseNothing() throws {
        let v = OptionApplicability.train(try TrainCommand.parse([]))
        #expect(v == OptionApplicability.Verdict())
        #expect(OptionApplicability.serve(try ServeCommand.parse(["--model", "m"])) == OptionApplicability.Verdict())
    }

    @Test(arguments: [["--layers", "64"], ["--dropout", "0.1"], ["--embedding-dim", "16"], ["--infer-embedding-sizes"],
                      ["--no-item-features"], ["--user-history", "5"]])
    func mlpOptionsWithTheMFTowerAreErrors(_ flags: [String]) throws {
        let message = try #require(errorMessage { _ = try TrainCommand.parse(flags) })
        #expect(message.contains(flags[0]) && message.contains("--tower mlp"), "\(message)")
        #expect(message.contains("mf"))
        // With --tower mlp they apply.
        #expect(throws: Never.self) { _ = try TrainCommand.parse(flags + ["--tower", "mlp"]) }
    }

    @Test func patienceWithNoEarlyStoppingIsAnError() throws {
        let message = try #require(errorMessage { _ = try TrainCommand.parse(["--patience", "3", "--no-early-stopping"]) })
        #expect(message.contains("--patience") && message.contains("--no-early-stopping"))
        // Either alone is fine, and the default patience is still 2.
        #expect(try TrainCommand.parse(["--no-early-stopping"]).makeRun().training.patience == nil)
        #expect(try TrainCommand.parse([]).makeRun().training.patience == 2)
        #expect(try TrainCommand.parse(["--patience", "3"]).makeRun().training.patience == 3)
    }

    @Test func validationMetricWithoutValidationIsAWarning() throws {
        let v = OptionApplicability.train(try TrainCommand.parse(["--no-early-stopping", "--validation-metric", "recall@10"]))
        #expect(v.errors.isEmpty)
        #expect(v.warnings.count == 1 && v.warnings[0].contains("--validation-metric") && v.warnings[0].contains("--no-early-stopping"))
        let kept = OptionApplicability.train(try TrainCommand.parse(["--no-early-stopping", "--validate", "--validation-metric", "recall@10"]))
        #expect(kept.warnings.isEmpty)
    }

    @Test func noRefitWithoutEarlyStoppingIsAWarning() throws {
        let v = OptionApplicability.train(try TrainCommand.parse(["--no-early-stopping", "--no-refit"]))
        #expect(v.errors.isEmpty)
        #expect(v.warnings.count == 1 && v.warnings[0].contains("--no-refit") && v.warnings[0].contains("--no-early-stopping"))
        let command = try TrainCommand.parse(["--no-refit"])
        #expect(OptionApplicability.train(command).warnings.isEmpty)
        #expect(try command.makeRun().refit == false)
        #expect(try TrainCommand.parse([]).makeRun().refit == true)
    }

    @Test func aSamplerGivenTwiceIsAnError() throws {
        let message = try #require(errorMessage { _ = try TrainCommand.parse(["--sampler", "in-batch", "--sampler", "in-batch"]) })
        #expect(message.contains("--sampler in-batch") && message.contains("twice"))
        #expect(throws: Never.self) { _ = try TrainCommand.parse(["--sampler", "in-batch", "--sampler", "uniform:8"]) }
    }

    @Test func columnOptionsNeedCSVData() throws {
        let directory = temporaryDirectory("applicability")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let train = directory + "/train.txt"
        _ = FileManager.default.createFile(atPath: train, contents: Data("0 1 2\n1 2\n".utf8))
        let ratings = directory + "/ratings.csv"
        _ = FileManager.default.createFile(atPath: ratings, contents: Data("userId,movieId,rating,timestamp\n1,2,3,4\n".utf8))
        // LightGCN: --user-column is an error naming the flag and the format.
        let gcn = try #require(errorMessage { _ = try TrainCommand.parse(["--data", train, "--user-column", "uid"]) })
        #expect(gcn.contains("--user-column") && gcn.contains("lightgcn"), "\(gcn)")
        let minRating = try #require(errorMessage { _ = try TrainCommand.parse(["--data", train, "--min-rating", "4"]) })
        #expect(minRating.contains("--min-rating") && minRating.contains("lightgcn"))
        // MovieLens ratings.csv: --rating-column is an error (in evaluate and inspect too).
        let ml = try #require(errorMessage { _ = try TrainCommand.parse(["--data", ratings, "--rating-column", "rating"]) })
        #expect(ml.contains("--rating-column") && ml.contains("movielens"))
        #expect(throws: (any Error).self) { _ = try EvaluateCommand.parse(["--model", "m", "--data", ratings, "--item-column", "x"]) }
        #expect(throws: (any Error).self) { _ = try InspectCommand.parse(["--data", ratings, "--timestamp-column", "t"]) }
        // --format csv makes them apply.
        #expect(throws: Never.self) { _ = try InspectCommand.parse(["--data", ratings, "--format", "csv", "--user-column", "userId"]) }
        // Without --data they are warnings.
        let v = OptionApplicability.data(try DataOptions.parse(["--user-column", "u", "--skip-bad-lines"]))
        #expect(v.errors.isEmpty && v.warnings.count == 2)
        #expect(v.warnings[0].contains("--user-column") && v.warnings[1].contains("--skip-bad-lines"))
    }

    @Test func waitWhenIdleWithoutBatchingIsAWarning() throws {
        let v = OptionApplicability.serve(try ServeCommand.parse(["--model", "m", "--max-batch", "1", "--wait-when-idle"]))
        #expect(v.errors.isEmpty && v.warnings.count == 1 && v.warnings[0].contains("--max-batch 1"))
    }
}

/// `recommend` and `evaluate` without `--data` (issue 12).
@Suite struct RecommendAndRecordedDataApplicabilityTests {
    private func errorMessage(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return RecommendCommand.message(for: error) }
    }

    @Test func recommendChoosesUsersOneWay() throws {
        let both = try #require(errorMessage { _ = try RecommendCommand.parse(["--model", "m", "--user", "1", "--all-users"]) })
        #expect(both.contains("--user and --all-users both choose the users: give --user ID (repeatable) or --all-users"), "\(both)")
        #expect(throws: (any Error).self) { _ = try RecommendCommand.parse(["--model", "m"]) }
        let block = OptionApplicability.recommend(try RecommendCommand.parse(["--model", "m", "--user", "1", "--block", "8"]))
        #expect(block.errors.isEmpty && block.warnings.count == 1)
        #expect(throws: (any Error).self) { _ = try RecommendCommand.parse(["--model", "m", "--user", "1", "--show-history", "0"]) }
    }

    @Test func evaluateWithoutDataRefusesDataOptions() throws {
        let split = try #require(errorMessage { _ = try EvaluateCommand.parse(["--model", "m", "--split", "ratio:0.8"]) })
        #expect(split.contains("--split needs --data"), "\(split)")
        #expect(throws: (any Error).self) { _ = try EvaluateCommand.parse(["--model", "m", "--min-rating", "4"]) }
        #expect(OptionApplicability.evaluate(try EvaluateCommand.parse(["--model", "m"])).errors.isEmpty)
    }
}
