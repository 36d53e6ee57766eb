import Foundation
import Testing
import TowerDistributed
import TowerFormats
@testable import TowerWorkflows
import TwoTower

/// What a training run refuses before any work: settings that would waste the run or hang it.
@Suite struct RunPreflightTests {
    /// Ranks started with other flags fail on every rank, naming the settings (instead of one rank
    /// waiting forever for a rank that ran fewer epochs, or silently mixing learning rates).
    @Test func ranksWithOtherSettingsFailOnEveryRankNamingThem() throws {
        let group = ThreadGroupCommunicator.makeGroup(size: 2)
        let messages = Messages()
        let done = DispatchGroup()
        for member in group {
            done.enter()
            Thread {
                var run = TrainingRunTests.smallRun()
                run.training.epochs = member.rank == 0 ? 1 : 3
                run.training.learningRate = member.rank == 0 ? 0.02 : 0.5
                run.communicator = member
                do { _ = try run.run(); messages.add("trained") } catch { messages.add("\(error)") }
                done.leave()
            }.start()
        }
        done.wait()
        #expect(messages.all.count == 2)
        for m in messages.all {
            #expect(m.contains("rank 1 was started with other settings than rank 0") && m.contains("training.epochs: 1 vs 3")
                    && m.contains("training.learningRate"), "\(m)")
        }
    }

    @Test func inBatchNegativesAloneNeedTwoRowsPerBatch() {
        var run = TrainingRunTests.smallRun()
        run.training.batchSize = 1
        #expect { try run.validate() } throws: { "\($0)".contains("leaves every row without a negative") }
        run.training.samplers = [.inBatch, .uniform(count: 4)]
        #expect(throws: Never.self) { try run.validate() }
    }

    @Test func anUnwritableOutputFailsBeforeTraining() throws {
        let dir = NSTemporaryDirectory() + "preflight-\(UInt32.random(in: 0 ... .max))"
        try Data([1]).write(to: URL(fileURLWithPath: dir))  // a file where a directory is needed
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var run = TrainingRunTests.smallRun()
        run.training.epochs = 1000  // would take minutes if it trained first
        run.output = dir + "/model"
        // The message names the flag: the save at the end would name a temporary directory instead.
        #expect { _ = try run.run() } throws: { "\($0)".contains("--output") && "\($0)".contains("is not a directory") }
        #expect(throws: (any Error).self) { try AtomicFile.checkWritableDestination(dir, what: "--metrics-out", directory: true) }
        #expect(throws: Never.self) { try AtomicFile.checkWritableDestination(dir, what: "--metrics-out", directory: false) }
    }

    @Test func cclKnobsWithAnotherLossAreAnError() {
        var c = TrainingConfiguration()
        c.cclMargin = 0.5
        #expect { try c.validate() } throws: { "\($0)".contains("ccl only") }
    }

    /// JSON has no NaN: an epoch without a finite loss is null in the metrics file, not 0.
    @Test func aNonFiniteLossIsNullInTheMetricsJSON() throws {
        var report = try TrainingRunTests.smallRun().run()
        report.training.epochLosses = [.nan, 1.5]
        report.training.finalLoss = .nan
        let json = try JSONSerialization.jsonObject(with: report.json()) as! [String: Any]
        let train = json["train"] as! [String: Any]
        #expect(train["final_loss"] is NSNull)
        #expect((train["epoch_losses"] as! [Any]).first is NSNull)
        #expect((train["epoch_losses"] as! [Any]).last as? Double == 1.5)
    }
}

private final class Messages: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String] = []
    func add(_ m: String) { lock.withLock { values.append(m) } }
    var all: [String] { lock.withLock { values } }
}
