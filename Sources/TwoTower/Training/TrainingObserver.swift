/// Receives what ``Trainer/fit(_:observer:validate:)`` does, as it happens: a progress bar, a
/// run record for reports, an event-file writer. All methods run on the training thread, between
/// steps; they should be cheap (a step takes milliseconds).
///
/// Every method has an empty default, so an observer implements only what it needs.
public protocol TrainingObserver: AnyObject {
    /// After each training step. `loss` is the batch's mean loss; `examples` its row count.
    func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int)
    /// After each training step, with the learning rate that step used (after warm-up or decay).
    /// ``Trainer/fit(_:observer:validate:)`` calls this one; the default forwards to
    /// ``step(epoch:step:totalSteps:loss:examples:)``, so observers that do not need the rate
    /// implement only that.
    func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int, learningRate: Float)
    /// After each epoch: the epoch's mean loss and, when validating, the watched metric.
    func epochEnded(epoch: Int, loss: Double, validation: Double?)
    /// A human-readable line (early stopping, restored parameters).
    func message(_ text: String)
    /// Once, when training ends (normally or by early stopping).
    func finish()
    /// Before a second training pass on train + validation (the refit after early stopping, see
    /// `TrainingRun.refit`): its steps and epochs follow, numbered from 1 again, `epochs` of them
    /// over `interactions` rows. The default prints a ``message(_:)``.
    func refitBegan(epochs: Int, interactions: Int)
}

public extension TrainingObserver {
    func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int) {}
    func step(epoch: Int, step: Int, totalSteps: Int, loss: Float, examples: Int, learningRate: Float) {
        self.step(epoch: epoch, step: step, totalSteps: totalSteps, loss: loss, examples: examples)
    }
    func epochEnded(epoch: Int, loss: Double, validation: Double?) {}
    func message(_ text: String) {}
    func finish() {}
    func refitBegan(epochs: Int, interactions: Int) {
        message(refitAnnouncement(epochs: epochs, interactions: interactions))
    }
}

/// The line announcing the refit pass, e.g. `refit: a fresh model, 10 epochs on train + validation (75000 interactions)`.
public func refitAnnouncement(epochs: Int, interactions: Int) -> String {
    "refit: a fresh model, \(epochs) epoch\(epochs == 1 ? "" : "s") on train + validation (\(interactions) interactions)"
}
