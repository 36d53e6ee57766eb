import Testing
import TwoTower
@testable import TowerWorkflows

/// The run record's settings table gives the value each setting took, defaults marked: an unset
/// optional (embedding L2, loss reduction, learning-rate decay) shows its resolved default, not "none".
@Suite struct ConfigurationEntriesTests {
    static func entry(_ run: TrainingRun, _ name: String) -> ConfigurationEntry? {
        run.configurationEntries().first { $0.name == name }
    }

    @Test func unsetOptionalsShowTheirResolvedDefaults() {
        let run = TrainingRun()
        #expect(Self.entry(run, "training.embeddingL2")?.value == "\(TrainingConfiguration.defaultEmbeddingL2)")
        #expect(Self.entry(run, "training.embeddingL2")?.isDefault == true)
        #expect(Self.entry(run, "training.lossReduction")?.value == "mean")
        #expect(Self.entry(run, "training.lossReduction")?.isDefault == true)
        #expect(Self.entry(run, "training.learningRateDecay")?.value == "none")
        #expect(Self.entry(run, "training.learningRateDecay")?.isDefault == true)
    }

    @Test func setValuesAreMarkedAsSet() {
        var run = TrainingRun()
        run.training.embeddingL2 = 0
        run.training.lossReduction = .mean  // given explicitly but equal to the default: still default
        run.training.learningRateDecay = .cosine
        #expect(Self.entry(run, "training.embeddingL2")?.value == "0.0")
        #expect(Self.entry(run, "training.embeddingL2")?.isDefault == false)
        #expect(Self.entry(run, "training.lossReduction")?.isDefault == true)
        #expect(Self.entry(run, "training.learningRateDecay")?.value == "cosine")
        #expect(Self.entry(run, "training.learningRateDecay")?.isDefault == false)
    }
}
