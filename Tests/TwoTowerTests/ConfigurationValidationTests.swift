import Testing
@testable import TwoTower

/// Configuration errors name the configuration's fields; a front end can rename them.
@Suite struct ConfigurationValidationTests {
    func error(_ body: () throws -> Void) -> ConfigurationError? {
        do { try body(); return nil } catch let e as ConfigurationError { return e } catch { return nil }
    }

    @Test func errorsNameFields() {
        var m = ModelConfiguration()
        m.dimensions = 0
        let e = error { try m.validate() }
        #expect(e?.message == "dimensions must be positive, found 0" && e?.field == "dimensions")
        #expect(e?.message(naming: { "--\($0)" }) == "--dimensions must be positive, found 0")

        var h = ModelConfiguration()
        h.userHistory = 5
        #expect(error { try h.validate() }?.message(naming: { $0.uppercased() }) == "USERHISTORY needs TOWER mlp (an mf tower has no side features)")

        var t = TrainingConfiguration()
        t.batchSize = -3
        #expect(error { try t.validate() }?.message.hasPrefix("batchSize must be positive") == true)
    }

    /// `logQ: .sampler` takes its probabilities from exactly one popularity or uniform sampler.
    @Test func samplerLogQNeedsOneProbabilitySampler() {
        var t = TrainingConfiguration()
        t.logQ = .sampler
        t.samplers = [.uniform(count: 8)]
        #expect(error { try t.validate() } == nil)
        t.samplers = [.inBatch, .popularity(count: 8)]
        #expect(error { try t.validate() }?.field == "logQ")
        t.samplers = [.inBatch]
        #expect(error { try t.validate() }?.field == "logQ")
    }

    @Test func templatesWithoutFields() {
        let e = ConfigurationError("plain text, no field")
        #expect(e.field == nil && e.message == "plain text, no field" && e.message(naming: { _ in "x" }) == "plain text, no field")
    }
}
