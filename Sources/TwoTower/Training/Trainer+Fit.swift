import Foundation
import TowerCore
import TowerData
import TowerNN

/// What a training run did.
public struct TrainingSummary: Sendable, Codable, Equatable {
    /// Epochs run (fewer than configured when early stopping fired).
    public var epochs: Int
    /// Wall-clock seconds spent in training steps (validation excluded).
    public var seconds: Double
    /// Training examples per second over all steps.
    public var examplesPerSecond: Double
    /// Mean loss of the last epoch.
    public var finalLoss: Double
    /// Mean loss of every epoch.
    public var epochLosses: [Double]
    /// The validation metric after every epoch (empty without validation).
    public var validation: [Double]
    /// The epoch whose parameters the model holds at the end (1-based).
    public var bestEpoch: Int

    enum CodingKeys: String, CodingKey {
        case epochs, seconds, finalLoss = "final_loss", epochLosses = "epoch_losses", validation
        case examplesPerSecond = "examples_per_second", bestEpoch = "best_epoch"
    }
}

extension Trainer {
    /// Runs `configuration.epochs` epochs over `train`, shuffled from the seed, telling `observer`
    /// about every step and epoch.
    ///
    /// With `validate` (called after every epoch, returning the watched metric, higher is better)
    /// the best epoch's parameters are kept — restored at the end — and training stops after
    /// `configuration.patience` epochs without improvement.
    /// - Throws: ``TrainingError`` (non-finite loss, empty data), scorer and `validate` errors.
    public func fit(_ train: InteractionLog, observer progress: (any TrainingObserver)? = nil,
                    validate: ((_ epoch: Int) throws -> Double)? = nil) throws -> TrainingSummary {
        guard train.count > 0 else { throw TrainingError.emptyTrainingData }
        let batches = BatchIterator(log: train, batchSize: configuration.batchSize, dropLast: configuration.dropLast,
                                    seed: configuration.seed)
        var seconds = 0.0, examples = 0
        var losses: [Double] = [], history: [Double] = []
        var best = -Double.infinity, bestEpoch = 0, sinceBest = 0
        var snapshot: [Matrix] = []
        var epochsRun = 0
        // Sample weights reach the loss when the log has them (e.g. `deduplicated(.countAsWeight)`).
        let weighted = train.weights != nil
        for epoch in 1...configuration.epochs {
            batches.startEpoch(epoch - 1)
            var sum = 0.0, count = 0, step = 0
            let start = DispatchTime.now().uptimeNanoseconds
            while let batch = batches.next() {
                if batch.count < communicator.size {  // every rank sees the same batch: all skip it
                    progress?.message("skipped a last batch of \(batch.count) rows: fewer rows than the \(communicator.size) ranks")
                    continue
                }
                step += 1
                let loss = try self.step(users: batch.users, items: batch.items,
                                         weights: weighted ? batch.weights : nil, epoch: epoch)
                sum += Double(loss) * Double(batch.count)
                count += batch.count
                progress?.step(epoch: epoch, step: step, totalSteps: batches.batchesPerEpoch,
                               loss: loss, examples: batch.count, learningRate: optimizer.learningRate)
            }
            seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            examples += count
            losses.append(count > 0 ? sum / Double(count) : .nan)
            epochsRun = epoch
            guard let validate else {
                bestEpoch = epoch
                progress?.epochEnded(epoch: epoch, loss: losses.last!, validation: nil)
                continue
            }
            let value = try validate(epoch)
            history.append(value)
            progress?.epochEnded(epoch: epoch, loss: losses.last!, validation: value)
            progress?.message(String(format: "epoch %d: loss %.4f, validation %@ %.4f", epoch, losses.last!,
                                     configuration.validationMetric, value))
            if value > best {
                best = value; bestEpoch = epoch; sinceBest = 0
                snapshot = model.parameters.map { $0.value }
            } else {
                sinceBest += 1
                if let patience = configuration.patience, sinceBest >= patience {
                    progress?.message("early stopping: no improvement of \(configuration.validationMetric) for \(patience) epochs")
                    break
                }
            }
        }
        if !snapshot.isEmpty, bestEpoch != epochsRun {
            for (p, value) in zip(model.parameters, snapshot) { p.value = value }
            progress?.message("restored the parameters of epoch \(bestEpoch) (best \(configuration.validationMetric) \(String(format: "%.4f", best)))")
        }
        progress?.finish()
        return TrainingSummary(epochs: epochsRun, seconds: seconds,
                               examplesPerSecond: seconds > 0 ? Double(examples) / seconds : 0,
                               finalLoss: losses.last ?? .nan, epochLosses: losses, validation: history,
                               bestEpoch: bestEpoch)
    }
}
