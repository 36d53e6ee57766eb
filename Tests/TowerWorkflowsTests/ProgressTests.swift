import Testing
@testable import TowerWorkflows
@testable import TwoTower
import TowerFormats

/// A manual clock and a recording sink.
final class ProgressHarness {
    var time: Double = 0
    var output: [String] = []

    func make(_ style: TrainingProgress.Style, totalEpochs: Int? = 2, smoothing: Double = 0.5) -> TrainingProgress {
        TrainingProgress(style: style, totalEpochs: totalEpochs, smoothing: smoothing,
                         now: { [unowned self] in self.time }, sink: { [unowned self] in self.output.append($0) })
    }
}

@Suite struct ProgressTests {
    @Test func terminalRedrawsInPlaceAtMostTenTimesASecond() {
        let h = ProgressHarness()
        let progress = h.make(.terminal)
        // 20 steps, 30 ms apart: 0.57 s in all.
        for step in 1...20 {
            progress.step(epoch: 1, step: step, totalSteps: 20, loss: 1, examples: 10)
            h.time += 0.03
        }
        // Drawn at t = 0, 0.12, 0.24, 0.36, 0.48 (steps 1, 5, 9, 13, 17) and the epoch's last step.
        #expect(h.output.count == 6)
        for line in h.output.dropLast() {
            #expect(line.hasPrefix("\r") && line.hasSuffix("\u{1B}[K"))
            #expect(!line.contains("\n"))
        }
        #expect(h.output.last?.hasSuffix("\u{1B}[K\n") == true)
        #expect(h.output[1].contains("step 5/20"))
        #expect(h.output.last?.contains("step 20/20") == true)
    }

    @Test func plainLinesEveryIntervalAndAtEpochEnd() {
        let h = ProgressHarness()
        let progress = h.make(.lines(every: 10))
        for step in 1...25 {
            progress.step(epoch: 1, step: step, totalSteps: 25, loss: 2, examples: 4)
            h.time += 1
        }
        // Steps at t = 0...24: lines at t = 10 and 20, and at the last step.
        #expect(h.output.count == 3)
        #expect(h.output.allSatisfy { $0.hasSuffix("\n") && !$0.contains("\r") && !$0.contains("\u{1B}") })
        #expect(h.output[0].hasPrefix("epoch 1/2  step 11/25"))
        #expect(h.output[2].hasPrefix("epoch 1/2  step 25/25"))
    }

    @Test func quietPrintsNothingButKeepsStatistics() {
        let h = ProgressHarness()
        let progress = h.make(.quiet)
        progress.step(epoch: 1, step: 1, totalSteps: 2, loss: 3, examples: 1)
        progress.message("validation: recall@20 0.1")
        progress.step(epoch: 1, step: 2, totalSteps: 2, loss: 3, examples: 1)
        progress.finish()
        #expect(h.output.isEmpty)
        #expect(progress.smoothedLoss == 3)
    }

    @Test func smoothedLossIsABiasCorrectedAverage() throws {
        let h = ProgressHarness()
        let progress = h.make(.quiet, smoothing: 0.5)
        progress.step(epoch: 1, step: 1, totalSteps: 9, loss: 4, examples: 1)
        #expect(progress.smoothedLoss == 4)
        progress.step(epoch: 1, step: 2, totalSteps: 9, loss: 2, examples: 1)
        // Weights 0.5 (older) and 1 (newer), normalised: (0.5·4 + 1·2) / 1.5.
        let smoothed = try #require(progress.smoothedLoss)
        #expect(abs(smoothed - 4.0 / 1.5) < 1e-12)
    }

    @Test func rateAndEtaCoverTheRemainingEpochs() {
        let h = ProgressHarness()
        let progress = h.make(.quiet, totalEpochs: 2)
        for step in 1...5 {
            progress.step(epoch: 1, step: step, totalSteps: 10, loss: 1, examples: 100)
            if step < 5 { h.time += 0.5 }
        }
        // 4 steps of 100 examples after the first, in 2 s: 200 ex/s, 0.5 s per step;
        // 5 steps left in epoch 1 and 10 in epoch 2: 7.5 s.
        #expect(progress.examplesPerSecond == 200)
        #expect(progress.etaSeconds == 7.5)
        #expect(progress.statusLine() == "epoch 1/2  step 5/10  loss 1.0000  200 ex/s  ETA 7.5s")
        // A new epoch restarts the measurement (validation time in between is not counted).
        h.time += 100
        progress.step(epoch: 2, step: 1, totalSteps: 10, loss: 1, examples: 100)
        #expect(progress.examplesPerSecond == nil)
        h.time += 0.25
        progress.step(epoch: 2, step: 2, totalSteps: 10, loss: 1, examples: 100)
        #expect(progress.examplesPerSecond == 400)
        #expect(progress.etaSeconds == 2)
    }

    @Test func messagesClearTheProgressLine() {
        let h = ProgressHarness()
        let progress = h.make(.terminal)
        progress.step(epoch: 1, step: 1, totalSteps: 10, loss: 1, examples: 1)
        progress.message("best so far")
        #expect(h.output.last == "\r\u{1B}[Kbest so far\n")
        h.time += 0.01
        progress.step(epoch: 1, step: 2, totalSteps: 10, loss: 1, examples: 1)  // redrawn at once after a message
        #expect(h.output.count == 3)
        progress.finish()
        #expect(h.output.last == "\n")
        progress.finish()
        #expect(h.output.count == 4)
    }

    @Test(arguments: [
        (0.0, "0.0s"), (4.24, "4.2s"), (42, "42s"), (59.4, "59s"), (245, "4m05s"), (3723, "1h02m03s"),
        (90_000, "25h00m00s"), (-1, "--"), (.infinity, "--"), (.nan, "--"),
    ])
    func durations(seconds: Double, text: String) {
        #expect(formatDuration(seconds) == text)
    }
}
