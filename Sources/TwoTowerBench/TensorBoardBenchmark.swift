import ArgumentParser
import Foundation
import TowerReport
import TwoTower

/// `twotower-bench tensorboard`: the cost per training step of `--tensorboard` — the
/// ``TensorBoardObserver`` encoding and writing train/loss, train/learning_rate and
/// train/examples_per_second, with an epoch's events and flush every `--steps-per-epoch` steps —
/// measured without training around it, so it can be compared with a step's time.
struct TensorBoardBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tensorboard",
        abstract: "Time the TensorBoard observer per training step (events encoded, framed and written).")

    @Option(help: "Steps to record.") var steps = 200_000
    @Option(help: "Steps per epoch (epoch events and a flush after each).") var stepsPerEpoch = 977
    @Option(help: ArgumentHelp("Directory for the event file (default: a temporary one, removed).", valueName: "dir"))
    var directory: String?

    func validate() throws {
        guard steps >= 1, stepsPerEpoch >= 1 else { throw ValidationError("--steps and --steps-per-epoch must be positive") }
    }

    func run() throws {
        let dir = directory ?? NSTemporaryDirectory() + "twotower-bench-tensorboard-\(getpid())"
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: dir) } }
        let observer = try TensorBoardObserver(directory: dir)
        let start = DispatchTime.now().uptimeNanoseconds
        var epoch = 1, step = 0
        for i in 0..<steps {
            step += 1
            observer.step(epoch: epoch, step: step, totalSteps: stepsPerEpoch, loss: 5 - Float(i) * 1e-5,
                          examples: 1024, learningRate: 0.005)
            if step == stepsPerEpoch {
                observer.epochEnded(epoch: epoch, loss: 4.5, validation: 0.1)
                epoch += 1; step = 0
            }
        }
        observer.finish()
        try observer.close()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let bytes = (try? FileManager.default.attributesOfItem(atPath: observer.writer.path)[.size] as? Int) ?? 0
        print(String(format: "tensorboard: %d steps in %.3f s: %.2f µs per step, %.1f bytes per step (%@)",
                     steps, seconds, seconds / Double(steps) * 1e6, Double(bytes) / Double(steps), observer.writer.path))
    }
}
