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
    /// Training was stopped by a ``StopRequest`` (Ctrl-C) before its end: `epochs` counts the
    /// epoch it stopped in, whose last loss is over the steps it ran.
    public var interrupted = false

    enum CodingKeys: String, CodingKey {
        case epochs, seconds, finalLoss = "final_loss", epochLosses = "epoch_losses", validation
        case examplesPerSecond = "examples_per_second", bestEpoch = "best_epoch", interrupted
    }
}

extension Trainer {
    /// Runs `configuration.epochs` epochs over `train`, shuffled from the seed, telling `observer`
    /// about every step and epoch.
    ///
    /// With `validate` (called after every epoch, returning the watched metric, higher is better)
    /// the best epoch's parameters are kept — restored at the end — and training stops after
    /// `configuration.patience` epochs without improvement.
    ///
    /// With `stop`, a request (from any thread, e.g. a SIGINT handler) is checked before every
    /// step: the step under way finishes, the interrupted epoch is not validated, the best
    /// validated epoch's parameters are restored (without validation the last step's are kept)
    /// and the summary says ``TrainingSummary/interrupted``. Honoured in a single process only
    /// (with several ranks the ranks would have to agree on the step; it is ignored there).
    /// - Throws: ``TrainingError`` (non-finite loss, empty data), scorer and `validate` errors.
    public func fit(_ train: InteractionLog, observer progress: (any TrainingObserver)? = nil,
                    validate: ((_ epoch: Int) throws -> Double)? = nil,
                    stop: StopRequest? = nil, resume: FitCheckpoint? = nil,
                    checkpoint: ((FitCheckpoint) throws -> Void)? = nil) throws -> TrainingSummary {
        guard train.count > 0 else { throw TrainingError.emptyTrainingData }
        let stop = communicator.size == 1 ? stop : nil
        stop?.beginWatching()
        defer { stop?.endWatching() }
        var interrupted = false
        let batches = BatchIterator(log: train, batchSize: configuration.batchSize, dropLast: configuration.dropLast,
                                    seed: configuration.seed)
        useSchedule(stepsPerEpoch: batches.batchesPerEpoch)
        var seconds = 0.0, examples = 0
        var losses: [Double] = [], history: [Double] = []
        var best = -Double.infinity, bestEpoch = 0, sinceBest = 0
        var snapshot: [Matrix] = []
        var epochsRun = 0
        var nearChance: [(perRow: Double, chance: Double)] = []
        var stoppedEarly = false
        if let r = resume {  // the loop's state at the end of the saved epoch (the trainer's is restored by the caller)
            let p = r.progress
            seconds = p.seconds; examples = p.examples; losses = p.losses; history = p.validation
            best = p.best ?? -.infinity; bestEpoch = p.bestEpoch; sinceBest = p.sinceBest
            snapshot = r.best; epochsRun = p.epochs; stoppedEarly = p.stoppedEarly
            nearChance = p.nearChance.map { ($0[0], $0[1]) }
        }
        /// Tells `checkpoint` the loop's state after `epochsRun` epochs.
        func saveCheckpoint() throws {
            guard let checkpoint else { return }
            let progress = FitProgress(epochs: epochsRun, seconds: seconds, examples: examples, losses: losses,
                                       validation: history, best: best.isFinite ? best : nil, bestEpoch: bestEpoch,
                                       sinceBest: sinceBest, nearChance: nearChance.map { [$0.perRow, $0.chance] },
                                       stoppedEarly: stoppedEarly)
            try checkpoint(FitCheckpoint(progress: progress, best: snapshot))
        }
        // Sample weights reach the loss when the log has them (e.g. `deduplicated(.countAsWeight)`).
        let weighted = train.weights != nil
        let firstEpoch = stoppedEarly ? configuration.epochs + 1 : epochsRun + 1
        for epoch in firstEpoch ..< max(firstEpoch, configuration.epochs + 1) {
            batches.startEpoch(epoch - 1)
            var sum = 0.0, count = 0, step = 0
            // Per-row loss and ln(candidates), rows-weighted, for the "does it learn?" check.
            var perRow = 0.0, chance = 0.0
            let start = DispatchTime.now().uptimeNanoseconds
            while let batch = batches.next() {
                if let stop, stop.isRequested {
                    interrupted = true
                    progress?.message("interrupted: stopped after step \(step) of \(batches.batchesPerEpoch) in epoch \(epoch) (Ctrl-C again quits at once)")
                    break
                }
                if batch.count < communicator.size {  // every rank sees the same batch: all skip it
                    progress?.message("skipped a last batch of \(batch.count) rows: fewer rows than the \(communicator.size) ranks")
                    continue
                }
                step += 1
                let loss = try self.step(users: batch.users, items: batch.items,
                                         weights: weighted ? batch.weights : nil, epoch: epoch)
                let rows = Double(batch.count)
                // Mean: the batch's loss is per row; sum: it is the batch's total (the epoch's
                // loss is then the mean batch loss, as Keras reports it for TFRS).
                let rowLoss = configuration.reduction == .mean ? Double(loss) : Double(loss) / rows
                sum += configuration.reduction == .mean ? Double(loss) * rows : Double(loss)
                perRow += rowLoss * rows
                chance += log(max(lastCandidates, 1)) * rows
                count += batch.count
                progress?.step(epoch: epoch, step: step, totalSteps: batches.batchesPerEpoch,
                               loss: loss, examples: batch.count, learningRate: optimizer.learningRate)
            }
            seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            examples += count
            losses.append(count > 0 ? (configuration.reduction == .mean ? sum / Double(count) : sum / Double(step)) : .nan)
            epochsRun = epoch
            if interrupted {
                if count == 0 {  // stopped before the epoch's first step: it did not happen
                    losses.removeLast()
                    epochsRun = epoch - 1
                }
                if snapshot.isEmpty { bestEpoch = epochsRun }
                break
            }
            // Judged on the first two epochs (or the only one): a slow first epoch that then
            // falls, as MLP towers often show at the default learning rate, is not reported.
            if count > 0, !weighted {
                nearChance.append((perRow / Double(count), chance / Double(count)))
                if epoch == min(2, configuration.epochs), let warning = notLearningWarning(nearChance) {
                    progress?.message(warning)
                }
            }
            guard let validate else {
                bestEpoch = epoch
                progress?.epochEnded(epoch: epoch, loss: losses.last!, validation: nil)
                try saveCheckpoint()
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
                    progress?.message("early stopping: no improvement of \(configuration.validationMetric) for \(patience) epoch\(patience == 1 ? "" : "s")")
                    stoppedEarly = true
                    try saveCheckpoint()
                    break
                }
            }
            try saveCheckpoint()
        }
        if !snapshot.isEmpty, bestEpoch != epochsRun {
            for (p, value) in zip(model.parameters, snapshot) { p.value = value }
            progress?.message("restored the parameters of epoch \(bestEpoch) (best \(configuration.validationMetric) \(String(format: "%.4f", best)))")
        }
        progress?.finish()
        return TrainingSummary(epochs: epochsRun, seconds: seconds,
                               examplesPerSecond: seconds > 0 ? Double(examples) / seconds : 0,
                               finalLoss: losses.last ?? .nan, epochLosses: losses, validation: history,
                               bestEpoch: bestEpoch, interrupted: interrupted)
    }

    /// Sets the optimizer's schedule to the configuration's decay over `epochs · stepsPerEpoch`
    /// steps (``TrainingConfiguration/schedule(stepsPerEpoch:)``); without a decay the schedule
    /// set at initialisation (warm-up, or one set by the caller) stays.
    public func useSchedule(stepsPerEpoch: Int) {
        guard (configuration.learningRateDecay ?? .none) != .none else { return }
        optimizer.schedule = configuration.schedule(stepsPerEpoch: stepsPerEpoch)
    }

    /// The warning printed when the softmax loss of the first epochs (two, or one when only one is
    /// run) stays within 1% of `ln(candidates)` — the loss of scores that do not tell the positive
    /// from the negatives — and falls by less than 0.5% from the first to the second, with the
    /// usual causes; `nil` otherwise, for BPR and CCL (their chance values differ), or with sample
    /// weights (they rescale the loss).
    func notLearningWarning(_ epochs: [(perRow: Double, chance: Double)]) -> String? {
        guard configuration.loss == .softmaxCrossEntropy, let first = epochs.first,
              epochs.allSatisfy({ $0.chance > 0 && $0.perRow.isFinite && abs($0.perRow - $0.chance) <= 0.01 * $0.chance }),
              epochs.count < 2 || epochs[0].perRow - epochs[1].perRow < 0.005 * epochs[0].perRow else { return nil }
        let perRowLoss = epochs.last!.perRow, chanceLoss = first.chance
        var causes: [String] = []
        let c = configuration
        causes.append("the learning rate \(c.learningRate) is too small for \(c.optimizer.rawValue) (--learning-rate)")
        if c.reduction == .mean && c.optimizer == .adagrad {
            causes.append("--loss-reduction mean with adagrad: TFRS recipes (adagrad, learning rate 0.05-0.1) assume --loss-reduction sum, whose gradient is batch-size (\(c.batchSize)) times larger")
        }
        if c.logQ == .none {
            causes.append("no logQ correction (--logq none): popular items dominate the in-batch negatives")
        }
        if c.temperature >= 1 && configurationUsesCosine {
            causes.append("cosine scores (--l2-normalize) at temperature \(c.temperature): logits in [-1, 1] cannot separate \(Int(exp(chanceLoss).rounded())) candidates (try --temperature 0.05)")
        }
        let which = epochs.count == 1 ? "the first epoch's loss" : "the loss after two epochs"
        return String(format: "warning: %@ %.4f is within 1%% of ln(%.0f) = %.4f, the loss of scores that rank the positive no better than chance: the model is not learning. Likely causes: ",
                      which, perRowLoss, exp(chanceLoss), chanceLoss) + causes.joined(separator: "; ") + "."
    }

    private var configurationUsesCosine: Bool { model.configuration.l2Normalize }
}
