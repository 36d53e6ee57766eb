import Foundation
import Testing
import TowerData
import TowerTestSupport
import TwoTower
@testable import TowerWorkflows

/// Collects the training observer's messages.
final class MessageCollector: TrainingObserver {
    var messages: [String] = []
    func message(_ text: String) { messages.append(text) }
}

/// "A model that does not learn says so": after the first epoch, a softmax loss within 1% of
/// ln(candidates) is reported through the observer with its likely causes.
@Suite struct NotLearningWarningTests {
    /// Strongly planted (2 factors, temperature 0.02) so the default recipe learns within one epoch
    /// of ~620 steps: its first-epoch loss ends ~7% under ln(63).
    static let data = SyntheticDataset.generate(SyntheticConfiguration(users: 2000, items: 500, interactions: 40_000, factors: 2,
                                                                       temperature: 0.02, seed: 3))
        .log.orderedByFrequency()

    static func fit(learningRate: Float?, optimizer: OptimizerKind = .adam, reduction: RetrievalLoss.Reduction? = nil,
                    epochs: Int = 1) throws -> [String] {
        var m = ModelConfiguration()
        m.dimensions = 32
        let model = TwoTowerModel(configuration: m, userCount: data.userCount, itemCount: data.itemCount, seed: 1)
        var c = TrainingConfiguration()
        c.epochs = epochs
        c.batchSize = 64
        c.logQ = .none
        c.optimizer = optimizer
        c.lossReduction = reduction
        if let learningRate { c.learningRate = learningRate }
        let counts = data.rowCounts().items
        let trainer = try Trainer(model: model, configuration: c, itemCounts: counts)
        let collector = MessageCollector()
        _ = try trainer.fit(data, observer: collector)
        return collector.messages.filter { $0.contains("not learning") }
    }

    @Test func aTinyLearningRateIsReported() throws {
        let warnings = try Self.fit(learningRate: 1e-7)
        #expect(warnings.count == 1, "\(warnings)")
        #expect(warnings.first?.hasPrefix("warning: the first epoch's loss") == true, "\(warnings)")
        #expect(warnings.first?.contains("learning rate") == true)
        #expect(warnings.first?.contains("--logq none") == true)
    }

    /// The case: adagrad at a TFRS learning rate with the mean reduction; the warning names
    /// the reduction.
    @Test func adagradWithTheMeanNamesTheReduction() throws {
        let warnings = try Self.fit(learningRate: 0.05, optimizer: .adagrad, reduction: .mean)
        #expect(warnings.count == 1 && warnings[0].contains("--loss-reduction mean with adagrad"), "\(warnings)")
    }

    @Test func theDefaultLearningRateIsNotReported() throws {
        let warnings = try Self.fit(learningRate: nil)
        #expect(warnings.isEmpty, "\(warnings)")
    }

    /// With two epochs the judgement waits for the second: still flat, it is reported once.
    @Test func aFlatSecondEpochIsReportedOnce() throws {
        let warnings = try Self.fit(learningRate: 1e-7, epochs: 3)
        #expect(warnings.count == 1 && warnings[0].contains("the loss after two epochs"), "\(warnings)")
    }
}
