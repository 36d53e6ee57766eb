import Testing
import TwoTower
@testable import TowerWorkflows

@Suite struct EvaluationSettingsTests {
    @Test func cutOffsArePositiveAndPerRowKFitsTheCatalogue() {
        var s = EvaluationSettings()
        #expect(throws: Never.self) { try s.validate(itemCount: 5) }  // per-user caps 10, 20, 50 at 5
        s.ks = [0, 10]
        #expect(throws: ConfigurationError("{ks} needs positive cut-offs, found 0,10")) { try s.validate() }
        s.ks = [1_000_000_000_000]
        #expect(throws: Never.self) { try s.validate(itemCount: 9742) }
        s.protocolKind = .perRow
        #expect(throws: ConfigurationError("{ks} 1000000000000 is larger than the 9742 items per-row evaluation ranks; use k ≤ 9742 (the per-user protocol caps k at the catalogue)")) {
            try s.validate(itemCount: 9742)
        }
    }
}
