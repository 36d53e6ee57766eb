import Foundation
import Testing
import TowerData
import TowerNN
import TowerReport
import TowerTestSupport
import TowerWorkflows
import TwoTower

/// What the observer writes: series, steps and values, with injected clocks and from a real
/// (tiny) training run, read back from the file.
@Suite struct TensorBoardObserverTests {
    /// The values of `tag` in file order, with their steps.
    static func series(_ events: [EventFileReader.Event], _ tag: String) -> [(step: Int64, value: Float)] {
        events.flatMap { e in e.values.filter { $0.tag == tag }.map { (e.step, $0.value) } }
    }

    @Test func stepsEpochsAndMetricsWithInjectedClocks() throws {
        let dir = temporaryDirectory("tensorboard-observer")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var monotonic = 100.0, wall = 1_700_000_000.0
        let observer = TensorBoardObserver(writer: try TensorBoardWriter(directory: dir, wallTime: wall),
                                           now: { monotonic }, wallClock: { wall })
        let stepTimes = [0.5, 0.25, 0.125]  // seconds each step takes
        var loss: Float = 3
        for (i, dt) in stepTimes.enumerated() {
            monotonic += dt; wall += 1
            observer.step(epoch: 1, step: i + 1, totalSteps: 3, loss: loss, examples: 64, learningRate: 0.01 * Float(i + 1))
            loss -= 0.5
        }
        monotonic += 10  // validation: not counted in the next step's rate
        observer.epochEnded(epoch: 1, loss: 2.5, validation: 0.3)
        monotonic += 0.5
        observer.step(epoch: 2, step: 1, totalSteps: 1, loss: 1, examples: 32)  // without a learning rate
        observer.epochEnded(epoch: 2, loss: 1, validation: nil)
        observer.finish()
        try observer.writeMetrics(["recall@10": 0.25, "ndcg@10": 0.125], step: 2)
        try observer.close()
        #expect(observer.globalStep == 4)

        let events = try EventFileReader.events(atPath: observer.writer.path)
        let losses = Self.series(events, "train/loss")
        #expect(losses.map(\.step) == [1, 2, 3, 4])
        #expect(losses.map(\.value) == [3, 2.5, 2, 1])
        let rates = Self.series(events, "train/learning_rate")
        #expect(rates.map(\.step) == [1, 2, 3])
        #expect(rates.map(\.value) == [0.01, 0.02, 0.03].map { Float($0) })
        let speed = Self.series(events, "train/examples_per_second")
        #expect(speed.map(\.step) == [2, 3, 4], "the first step has no start time")
        #expect(speed.map(\.value) == [Float(64 / 0.25), Float(64 / 0.125), Float(32 / 0.5)])
        #expect(Self.series(events, "epoch/loss").map(\.step) == [1, 2])
        #expect(Self.series(events, "epoch/loss").map(\.value) == [2.5, 1])
        #expect(Self.series(events, "epoch/validation").map(\.step) == [1])
        #expect(Self.series(events, "epoch/validation").map(\.value) == [Float(0.3)])
        #expect(Self.series(events, "test/recall@10").map(\.value) == [0.25])
        #expect(Self.series(events, "test/ndcg@10").map(\.step) == [2])
        #expect(events.dropFirst().allSatisfy { $0.wallTime >= 1_700_000_001 })
    }

    @Test func aWriteErrorIsKeptAndThrownAtTheEnd() throws {
        let dir = temporaryDirectory("tensorboard-closed")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try TensorBoardWriter(directory: dir)
        let observer = TensorBoardObserver(writer: writer)
        try writer.close()  // every later write fails
        observer.step(epoch: 1, step: 1, totalSteps: 1, loss: 1, examples: 1)
        observer.epochEnded(epoch: 1, loss: 1, validation: nil)
        #expect(observer.error as? TensorBoardError == .closed(path: writer.path))
        #expect(throws: TensorBoardError.closed(path: writer.path)) { try observer.writeMetrics(["x": 1], step: 1) }
        #expect(throws: TensorBoardError.closed(path: writer.path)) { try observer.close() }
    }

    /// Records what the trainer reports, to compare with what the event file holds.
    final class Recorder: TrainingObserver {
        var losses: [Float] = [], learningRates: [Float] = [], epochs: [(Double, Double?)] = []
        var finished = 0
        func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int, learningRate: Float) {
            losses.append(loss)
            learningRates.append(learningRate)
        }
        func epochEnded(epoch: Int, loss: Double, validation: Double?) { epochs.append((loss, validation)) }
        func finish() { finished += 1 }
    }

    @Test func aTrainingRunIsReadBackFromTheFile() throws {
        let dir = temporaryDirectory("tensorboard-run")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var run = TrainingRun()
        run.data.synthetic = SyntheticConfiguration(users: 150, items: 80, interactions: 3000, factors: 4, seed: 9)
        run.model.dimensions = 8
        run.training.epochs = 3
        run.training.batchSize = 128
        run.training.warmupSteps = 5
        run.training.patience = nil
        run.validation = true
        run.training.validationMetric = "recall@10"
        run.evaluation.ks = [5, 10]
        let observer = try TensorBoardObserver(directory: dir)
        let recorder = Recorder()
        let report = try run.run(progress: ObserverGroup([recorder, observer]))
        try observer.write(report)
        try observer.close()

        #expect(try eventFiles(in: dir) == [observer.writer.path])
        let events = try EventFileReader.events(atPath: observer.writer.path)
        #expect(events.first?.fileVersion == "brain.Event:2")
        let steps = recorder.losses.count
        let perEpoch = (report.statistics.interactions + run.training.batchSize - 1) / run.training.batchSize
        #expect(steps == 3 * perEpoch && perEpoch > 3, "\(steps) steps for \(report.statistics.interactions) rows")
        #expect(observer.globalStep == steps && recorder.finished == 1)

        let losses = Self.series(events, "train/loss")
        #expect(losses.map(\.step) == (1...steps).map(Int64.init))
        #expect(losses.map(\.value) == recorder.losses)
        let schedule = LinearWarmup(warmupSteps: 5, after: ConstantLearningRate(run.training.learningRate))
        #expect(Self.series(events, "train/learning_rate").map(\.value) == (0..<steps).map { schedule.learningRate(atStep: $0) })
        let speed = Self.series(events, "train/examples_per_second")
        #expect(speed.count == steps - 1 && speed.allSatisfy { $0.value > 0 && $0.value.isFinite })

        #expect(Self.series(events, "epoch/loss").map(\.step) == [1, 2, 3])
        #expect(Self.series(events, "epoch/loss").map(\.value) == report.training.epochLosses.map { Float($0) })
        #expect(Self.series(events, "epoch/validation").map(\.value) == report.training.validation.map { Float($0) })
        #expect(report.training.validation.count == 3)
        let metrics = report.metrics.dictionary
        #expect(!metrics.isEmpty)
        for (name, value) in metrics {
            let written = Self.series(events, "test/\(name)")
            #expect(written.map(\.value) == [Float(value)], "test/\(name)")
            #expect(written.map(\.step) == [Int64(report.training.bestEpoch)])
        }
        // Every event is well-formed: increasing wall time, one value each (after the version record).
        #expect(events.dropFirst().allSatisfy { $0.values.count == 1 && $0.fileVersion == nil })
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.wallTime <= $1.wallTime })
    }
}
