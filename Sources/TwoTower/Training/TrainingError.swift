/// Errors that stop training.
public enum TrainingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The loss became NaN or infinite.
    case nonFiniteLoss(epoch: Int, step: Int, loss: Float, learningRate: Float, temperature: Float)
    /// The training data holds no interaction.
    case emptyTrainingData
    /// A data-parallel step got a global batch with fewer rows than ranks (some rank would have none).
    case batchSmallerThanRanks(rows: Int, ranks: Int)
    /// A collective failed (MPI error, or ranks that disagree about a buffer's length).
    case communication(String)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(epoch, step, loss, learningRate, temperature):
            var hint = "the learning rate (\(learningRate)) is likely too high: try a tenth of it"
            if temperature < 0.05 {
                hint += ", or the temperature (\(temperature)) too low: logits are divided by it"
            }
            return "training stopped: the loss became \(loss) at epoch \(epoch), step \(step); \(hint); --clip-norm 1 also helps"
        case .emptyTrainingData:
            return "training stopped: the training split holds no interaction"
        case let .batchSmallerThanRanks(rows, ranks):
            return "training stopped: a batch of \(rows) rows cannot be split across \(ranks) ranks (each needs at least one row); use a larger --batch-size or fewer ranks"
        case let .communication(detail):
            return "training stopped: \(detail)"
        }
    }
}
