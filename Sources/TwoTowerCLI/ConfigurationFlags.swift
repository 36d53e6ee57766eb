import TowerWorkflows
import TwoTower

extension ConfigurationError {
    /// The command-line flag that sets a configuration field (``ModelConfiguration``,
    /// ``TrainingConfiguration``, ``EvaluationSettings``), for error messages; the field's own name
    /// when no flag sets it.
    static func flag(for field: String) -> String {
        switch field {
        case "tower": "--tower"
        case "dimensions": "--dim"
        case "embeddingDimensions": "--embedding-dim"
        case "hiddenLayers": "--layers"
        case "dropout": "--dropout"
        case "userHistory": "--user-history"
        case "epochs": "--epochs"
        case "batchSize": "--batch-size"
        case "learningRate": "--learning-rate"
        case "weightDecay": "--weight-decay"
        case "clipNorm": "--clip-norm"
        case "warmupSteps": "--warmup-steps"
        case "learningRateDecay": "--lr-decay"
        case "learningRateDecayRate": "--lr-decay-rate"
        case "minimumLearningRate": "--min-learning-rate"
        case "embeddingL2": "--embedding-l2"
        case "optimizer": "--optimizer"
        case "temperature": "--temperature"
        case "samplers": "--sampler"
        case "logQ": "--logq"
        case "patience": "--patience"
        case "loss": "--loss"
        case "lossReduction": "--loss-reduction"
        case "cclMargin": "--ccl-margin"
        case "cclNegativeWeight": "--ccl-negative-weight"
        case "l2Normalize": "--l2-normalize"
        case "validationMetric": "--validation-metric"
        case "ks": "--eval-k"
        case "testPath": "--test"
        case "negatives": "--negatives"
        case "validation": "--validate"
        case "path": "--data"
        case "format": "--format"
        case "userColumn": "--user-column"
        case "itemColumn": "--item-column"
        case "timestampColumn": "--timestamp-column"
        case "ratingColumn": "--rating-column"
        case "minimumRating": "--min-rating"
        case "split": "--split"
        case "skipBadLines": "--skip-bad-lines"
        case "itemFeatureFile": "--item-features"
        case "userFeatureFile": "--user-features"
        case "synthetic": "the built-in synthetic data"
        case "checkpointEvery": "--checkpoint-every"
        default: field
        }
    }
}

/// A ``ConfigurationError`` raised while a command runs (after the data is read), spelled with
/// the command-line flags.
struct FlagNamedError: Error, CustomStringConvertible {
    let description: String
}

/// Runs `body`, re-spelling a ``ConfigurationError`` it throws with the flags.
func namingFlags<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as ConfigurationError {
        throw FlagNamedError(description: error.message(naming: ConfigurationError.flag(for:)))
    }
}
