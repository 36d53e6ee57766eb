/// Several observers acting as one: every call is passed to each of them, in the order given
/// (e.g. the terminal progress line and a TensorBoard event writer).
public final class ObserverGroup: TrainingObserver {
    /// The observers, in call order.
    public let observers: [any TrainingObserver]

    /// A group calling `observers` in order.
    public init(_ observers: [any TrainingObserver]) {
        self.observers = observers
    }

    public func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int) {
        for observer in observers {
            observer.step(epoch: epoch, step: step, totalSteps: totalSteps, loss: loss, examples: examples)
        }
    }

    public func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int, learningRate: Float) {
        for observer in observers {
            observer.step(epoch: epoch, step: step, totalSteps: totalSteps, loss: loss, examples: examples,
                          learningRate: learningRate)
        }
    }

    public func epochEnded(epoch: Int, loss: Double, validation: Double?) {
        for observer in observers { observer.epochEnded(epoch: epoch, loss: loss, validation: validation) }
    }

    public func message(_ text: String) {
        for observer in observers { observer.message(text) }
    }

    public func refitBegan(epochs: Int, interactions: Int) {
        for observer in observers { observer.refitBegan(epochs: epochs, interactions: interactions) }
    }

    public func finish() {
        for observer in observers { observer.finish() }
    }
}
