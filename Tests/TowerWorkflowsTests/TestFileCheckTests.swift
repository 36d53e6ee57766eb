import Foundation
import Testing
import TowerData
import TowerTestSupport
import TwoTower
@testable import TowerWorkflows

/// A given test file whose rows all name users or items absent from training is reported as such
/// (counts and the first unknown id), not as a missing `--test`.
@Suite struct TestFileCheckTests {
    func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    @Test func aTestFileOfUnknownIdsIsNamed() throws {
        let dir = try TestPathTests.lightGCNDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let strangers = dir + "/strangers.txt"
        try Data("100 1\n101 2\n102 3\n".utf8).write(to: URL(fileURLWithPath: strangers))
        var source = DataSource()
        source.path = dir + "/train.txt"
        source.testPath = strangers
        let users = try #require(message { _ = try source.prepare(seed: 1) })
        #expect(users.contains("test file \(strangers): every one of its 3 rows names a user or item absent from the training data"), "\(users)")
        #expect(users.contains("3 rows with an unknown user, 0 with a known user but an unknown item"), "\(users)")
        #expect(users.contains("the first is user \"100\" (line 1)") && !users.contains("give --test"), "\(users)")

        let newItems = dir + "/new-items.txt"
        try Data("0 1\n1 97 98\n".utf8).write(to: URL(fileURLWithPath: newItems))
        // Item 1 is known: only the unknown ones are dropped, the test set is not empty.
        source.testPath = newItems
        #expect(message { _ = try source.prepare(seed: 1) } == nil)
        try Data("0 90\n1 97 98\n".utf8).write(to: URL(fileURLWithPath: newItems))
        let items = try #require(message { _ = try source.prepare(seed: 1) })
        #expect(items.contains("every one of its 3 rows") && items.contains("the first is item \"90\" (line 1)"), "\(items)")
    }

    @Test func evaluatingASavedModelOnUnknownIdsIsNamedToo() throws {
        let dir = try TestPathTests.lightGCNDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try TestPathTests.saveTinyModel(trainedOn: dir)
        let strangers = dir + "/strangers.txt"
        try Data("200 1 2\n".utf8).write(to: URL(fileURLWithPath: strangers))
        var data = DataSource()
        data.testPath = strangers
        let text = try #require(message {
            _ = try ModelEvaluation.evaluateSaved(modelDirectory: dir + "/model", data: data, settings: run.evaluation)
        })
        #expect(text.contains("absent from the model's training data") && text.contains("user \"200\" (line 1)"), "\(text)")
    }
}
