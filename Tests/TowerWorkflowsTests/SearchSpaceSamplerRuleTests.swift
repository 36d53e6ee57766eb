import Testing
import TwoTower
@testable import TowerWorkflows

/// The tune search space follows train's rules for sampler sets, so every winner can be trained
/// again with `train --config`.
@Suite struct SearchSpaceSamplerRuleTests {
    func message(_ samplers: [[SamplerSpecification]]) -> String? {
        var space = SearchSpace()
        space.samplers = samplers
        do { try space.validate(); return nil } catch let e as ConfigurationError { return e.message } catch { return "\(error)" }
    }

    @Test func aSamplerGivenTwiceIsRefused() throws {
        let m = try #require(message([[.inBatch], [.inBatch, .inBatch]]))
        #expect(m.contains("in-batch+in-batch: in-batch is given twice"), "\(m)")
    }

    @Test func onlyCachesAreRefused() throws {
        let m = try #require(message([[.crossBatch(capacity: 64)]]))
        #expect(m.contains("only caches of earlier batches"), "\(m)")
    }

    @Test func validSetsPass() {
        #expect(message([[.inBatch], [.inBatch, .uniform(count: 8)], [.uniform(count: 8), .crossBatch(capacity: 16)]]) == nil)
    }
}
