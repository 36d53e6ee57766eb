import Foundation
import Testing
import TowerData
import TowerTestSupport
import TwoTower
@testable import TowerWorkflows

/// `--test DIR` with a LightGCN directory reads its test.txt, never its train.txt (issue 11, item 4).
@Suite struct TestPathTests {
    static func lightGCNDirectory(withTest: Bool = true) throws -> String {
        let dir = temporaryDirectory("lightgcn-test-path")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // 6 users × 4 training items; test: one other item each.
        let train = (0..<6).map { u in "\(u) " + (0..<4).map { String((u + $0) % 8) }.joined(separator: " ") }.joined(separator: "\n")
        try Data((train + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/train.txt"))
        if withTest {
            let test = (0..<6).map { u in "\(u) \((u + 5) % 8)" }.joined(separator: "\n")
            try Data((test + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/test.txt"))
        }
        return dir
    }

    @Test func trainResolvesADirectoryTestPathToItsTestFile() throws {
        let dir = try Self.lightGCNDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        var source = DataSource()
        source.path = dir
        source.testPath = dir
        #expect(try source.resolvedTestFile(dir) == dir + "/test.txt")
        let prepared = try source.prepare(seed: 1)
        #expect(prepared.split.test.count == 6, "the 6 test rows, not the 24 training rows")
        #expect(prepared.split.train.count == 24)
    }

    /// Trains a 1-epoch d=4 model on the LightGCN directory `dir` and saves it to `dir/model`.
    static func saveTinyModel(trainedOn dir: String) throws -> TrainingRun {
        var run = TrainingRun()
        run.data.path = dir
        run.model.dimensions = 4
        run.training.epochs = 1
        run.training.batchSize = 8
        run.training.patience = nil
        run.evaluation.ks = [2]
        run.output = dir + "/model"
        _ = try run.run()
        return run
    }

    @Test func evaluateResolvesADirectoryTestPathToo() throws {
        let dir = try Self.lightGCNDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try TestPathTests.saveTinyModel(trainedOn: dir)
        var data = DataSource()
        data.testPath = dir
        let report = try ModelEvaluation.evaluateSaved(modelDirectory: dir + "/model", data: data, settings: run.evaluation)
        #expect(report.metrics.evaluated == 6)
        // Every training item of a user is excluded: were train.txt read as the test set, no
        // held-out item could ever be hit.
        data.testPath = dir + "/train.txt"
        let onTrain = try ModelEvaluation.evaluateSaved(modelDirectory: dir + "/model", data: data, settings: run.evaluation)
        #expect(onTrain.metrics.value(.recall, k: 2) == 0)
    }

    @Test func aDirectoryWithoutATestFileOrTheTrainingFileIsAnError() throws {
        let dir = try Self.lightGCNDirectory(withTest: false); defer { try? FileManager.default.removeItem(atPath: dir) }
        var source = DataSource()
        source.path = dir
        #expect(throws: ConfigurationError("{testPath} \(dir) is a directory without a LightGCN test.txt; give the test file itself")) {
            try source.resolvedTestFile(dir)
        }
        #expect(throws: ConfigurationError.self) { try source.resolvedTestFile(dir + "/train.txt") }
        source.testPath = dir + "/train.txt"
        #expect(throws: ConfigurationError.self) { try source.prepare(seed: 1) }
    }
}
