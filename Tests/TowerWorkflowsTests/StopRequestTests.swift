import Foundation
import Testing
import TowerData
import TowerFormats
import TowerTestSupport
import TowerWorkflows
import TwoTower

/// A stop requested mid-fit (what Ctrl-C does in `twotower train`): the step finishes, training
/// stops, the best validated epoch's parameters are kept, and the run still evaluates and saves.
@Suite struct StopRequestTests {
    /// Requests the stop at a given step of a given epoch, from the training loop.
    final class StopAt: TrainingObserver {
        let stop: StopRequest, epoch: Int, step: Int
        var steps: [(epoch: Int, step: Int)] = []
        var messages: [String] = []
        init(_ stop: StopRequest, epoch: Int, step: Int) { self.stop = stop; self.epoch = epoch; self.step = step }
        func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int) {
            steps.append((epoch, step))
            if epoch == self.epoch && step == self.step { #expect(stop.request(), "fit watches the request") }
        }
        func message(_ text: String) { messages.append(text) }
    }

    static func run(epochs: Int, output: String) -> TrainingRun {
        var run = TrainingRun()
        run.data.synthetic = SyntheticConfiguration(users: 300, items: 150, interactions: 9_000, factors: 6, seed: 9)
        run.model.dimensions = 8
        run.training.epochs = epochs
        run.training.batchSize = 128
        run.training.learningRate = 0.02
        run.training.patience = 10
        run.evaluation.ks = [10, 20]
        run.output = output
        return run
    }

    @Test func stopMidEpochKeepsTheBestEpochAndSavesIt() throws {
        let dir = temporaryDirectory("stop-request")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let stop = StopRequest()
        #expect(!stop.isWatched)
        var interrupted = Self.run(epochs: 8, output: "\(dir)/interrupted")
        interrupted.stop = stop
        let observer = StopAt(stop, epoch: 2, step: 3)
        let report = try interrupted.run(progress: observer)
        #expect(!stop.isWatched, "fit stopped watching when it returned")

        // The third step of epoch 2 finished, the fourth never started.
        #expect(observer.steps.last! == (2, 3), "\(observer.steps.suffix(3))")
        #expect(report.training.interrupted)
        #expect(report.training.epochs == 2 && report.training.bestEpoch == 1)
        #expect(report.training.validation.count == 1, "the interrupted epoch is not validated")
        #expect(observer.messages.contains { $0.hasPrefix("interrupted: stopped after step 3 of ") && $0.contains("in epoch 2") },
                "\(observer.messages)")
        #expect(observer.messages.contains { $0.hasPrefix("restored the parameters of epoch 1") }, "\(observer.messages)")
        let json = try JSONSerialization.jsonObject(with: report.json()) as! [String: Any]
        #expect((json["train"] as! [String: Any])["interrupted"] as? Bool == true)

        // The saved model is epoch 1's: the same weights as a run of one epoch with the same seed.
        var oneEpoch = Self.run(epochs: 1, output: "\(dir)/one")
        oneEpoch.training.epochs = 1
        oneEpoch.refit = false  // the interrupted run is not refitted either
        let reference = try oneEpoch.run()
        #expect(!reference.training.interrupted)
        let saved = try ModelCheckpoint.load(from: "\(dir)/interrupted")
        let expected = try ModelCheckpoint.load(from: "\(dir)/one")
        for name in ["user.id", "item.id"] {
            #expect(try saved.weights.matrix(name).storage == expected.weights.matrix(name).storage, "\(name)")
        }
        #expect(report.metrics == reference.metrics, "evaluated on the kept parameters")
    }

    @Test func stopWithoutValidationKeepsTheLastStep() throws {
        let dir = temporaryDirectory("stop-request-plain")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var run = Self.run(epochs: 5, output: "\(dir)/model")
        run.training.patience = nil
        let stop = StopRequest()
        run.stop = stop
        let observer = StopAt(stop, epoch: 1, step: 2)
        let report = try run.run(progress: observer)
        #expect(report.training.interrupted && report.training.epochs == 1 && report.training.bestEpoch == 1)
        #expect(observer.steps.count == 2)
        #expect(report.training.epochLosses.count == 1 && report.training.epochLosses[0].isFinite)
        _ = try Recommender(modelDirectory: "\(dir)/model")  // saved and loadable
    }

    @Test func aRequestWithNoTrainingRunningIsNotWatched() {
        let stop = StopRequest()
        #expect(!stop.request(), "nothing watches it: the CLI quits at once")
        #expect(stop.isRequested)
    }
}
