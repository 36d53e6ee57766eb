import TowerData
import TwoTower

/// What a tuning trial may see: the training part of a split, cut into the interactions trials
/// train on and a validation set they are scored on. It holds no test data — it is built from a
/// ``PreparedData`` by dropping the test part — so the search cannot read the test set.
///
/// The validation set comes out of the training part the way `twotower train` carves one for
/// early stopping (``DataSource/prepare(seed:validation:)``): for a `ratio:T` split a random
/// `0.1/T` of every user's training interactions, otherwise every user's latest training
/// interaction (a random one without timestamps), for users with at least 2 of them. The final
/// run trains on train + validation, which is exactly the training part of the same split.
public struct TuningData: Sendable {
    /// What trials train on: the training part minus validation.
    public let train: InteractionLog
    /// The validation interactions, in ranking form (training items excluded).
    public let validation: ModelEvaluation.HeldOut
    /// Validation interactions.
    public let validationCount: Int
    public let itemFeatures: [EntityFeature]
    public let userFeatures: [EntityFeature]
    /// The data's name.
    public let name: String
    public var userCount: Int { train.userCount }
    public var itemCount: Int { train.itemCount }

    /// Takes the training part of `prepared` (prepared without a validation set) and carves the
    /// validation set from it; `prepared.split.test` is not read.
    /// - Parameters:
    ///   - strategy: the split that made `prepared` (`nil`: a given test file or the default split).
    ///   - seed: seeds the random carving.
    /// - Throws: ``ConfigurationError`` when no user has 2 training interactions (nothing to validate on).
    public init(_ prepared: PreparedData, strategy: SplitStrategy?, seed: UInt64) throws {
        let training = prepared.split.train
        let inner: DatasetSplit
        if case .ratio(let t, _) = strategy {
            inner = try DatasetSplit(training, strategy: .ratio(train: max(0.05, t - 0.1) / t, validation: 0),
                                     seed: seed ^ 0x7475_6E65_7661_6C69)
        } else {
            let carve: SplitStrategy = training.timestamps != nil ? .leaveLastOut(validation: false) : .leaveOneOut(validation: false)
            inner = try DatasetSplit(training, strategy: carve, seed: seed ^ 0x7475_6E65_7661_6C69)
        }
        guard inner.test.count > 0 else {
            throw ConfigurationError("\(prepared.name): no validation set for tuning (a user needs at least 2 training interactions to have one held out)")
        }
        train = inner.train
        validation = .test(inner)
        validationCount = inner.test.count
        itemFeatures = prepared.itemFeatures
        userFeatures = prepared.userFeatures
        name = prepared.name
    }
}
