import Testing
import TwoTower

/// ``ObserverGroup`` passes every call to each observer in order, including observers that
/// implement only the step method without the learning rate.
@Suite struct ObserverGroupTests {
    final class Log: TrainingObserver {
        let name: String
        let shared: SharedLog
        init(_ name: String, _ shared: SharedLog) { self.name = name; self.shared = shared }
        func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int, learningRate: Float) {
            shared.lines.append("\(name) step \(epoch).\(step)/\(totalSteps) \(loss) \(examples) lr \(learningRate)")
        }
        func epochEnded(epoch: Int, loss: Double, validation: Double?) {
            shared.lines.append("\(name) epoch \(epoch) \(loss) \(validation.map { "\($0)" } ?? "-")")
        }
        func message(_ text: String) { shared.lines.append("\(name) message \(text)") }
        func finish() { shared.lines.append("\(name) finish") }
    }

    /// Implements only the original step method (as observers written before the learning rate did).
    final class PlainStep: TrainingObserver {
        let shared: SharedLog
        init(_ shared: SharedLog) { self.shared = shared }
        func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int) {
            shared.lines.append("plain step \(epoch).\(step)")
        }
    }

    final class SharedLog { var lines: [String] = [] }

    @Test func forwardsEveryCallInOrder() {
        let shared = SharedLog()
        let group = ObserverGroup([Log("a", shared), PlainStep(shared), Log("b", shared)])
        group.step(epoch: 1, step: 2, totalSteps: 3, loss: 0.5, examples: 8, learningRate: 0.25)
        group.step(epoch: 1, step: 3, totalSteps: 3, loss: 0.25, examples: 4)
        group.epochEnded(epoch: 1, loss: 0.375, validation: 0.125)
        group.epochEnded(epoch: 2, loss: 0.5, validation: nil)
        group.message("hello")
        group.finish()
        #expect(shared.lines == [
            "a step 1.2/3 0.5 8 lr 0.25", "plain step 1.2", "b step 1.2/3 0.5 8 lr 0.25",
            // `Log` implements only the step with the rate: the five-argument call reaches `PlainStep` alone.
            "plain step 1.3",
            "a epoch 1 0.375 0.125", "b epoch 1 0.375 0.125",
            "a epoch 2 0.5 -", "b epoch 2 0.5 -",
            "a message hello", "b message hello",
            "a finish", "b finish",
        ])
        #expect(group.observers.count == 3)
    }

    @Test func anEmptyGroupDoesNothing() {
        let group = ObserverGroup([])
        group.step(epoch: 1, step: 1, totalSteps: 1, loss: 1, examples: 1, learningRate: 1)
        group.finish()
        #expect(group.observers.isEmpty)
    }
}
