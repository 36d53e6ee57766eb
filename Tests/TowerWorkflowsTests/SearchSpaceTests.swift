import Foundation
import Testing
import TowerCore
import TowerTestSupport
@testable import TowerWorkflows
import TwoTower

/// The search space: seeded draws, the knobs' couplings, the `--space` file and the list flags.
@Suite struct SearchSpaceTests {
    static func draws(_ space: SearchSpace, seed: UInt64, count: Int) -> [String] {
        var g = Xoshiro256(seed: seed)
        return (0..<count).map { _ in
            let c = space.sample(base: (ModelConfiguration(), TrainingConfiguration()), using: &g)
            return SearchSpace.describe(model: c.model, training: c.training)
        }
    }

    @Test func drawsAreSeeded() {
        let space = SearchSpace()
        #expect(Self.draws(space, seed: 1, count: 20) == Self.draws(space, seed: 1, count: 20))
        #expect(Self.draws(space, seed: 1, count: 20) != Self.draws(space, seed: 2, count: 20))
    }

    @Test func knobsAreCoupledAsThePapersUseThem() throws {
        var g = Xoshiro256(seed: 5)
        var sawCosine = false, sawCCL = false, sawDot = false
        for _ in 0..<300 {
            let (model, training) = SearchSpace().sample(base: (ModelConfiguration(), TrainingConfiguration()), using: &g)
            if training.loss == .ccl {
                sawCCL = true
                #expect(model.l2Normalize && training.logQ == .none && training.temperature == 1)
                #expect(training.cclMargin != nil && training.cclNegativeWeight != nil)
            } else {
                #expect(training.cclMargin == nil && training.cclNegativeWeight == nil)
                if model.l2Normalize { sawCosine = true; #expect([0.05, 0.1, 0.2].contains(training.temperature)) }
                else { sawDot = true; #expect(training.temperature == 1) }
            }
            try training.validate()
        }
        #expect(sawCosine && sawCCL && sawDot)
    }

    @Test func listFlagsSetTheChoices() throws {
        var space = SearchSpace()
        try space.set("learning-rates", text: "0.001, 0.01")
        try space.set("samplers", text: "in-batch,in-batch+uniform:64")
        try space.set("dims", text: "16")
        try space.set("losses", text: "softmax,bpr")
        #expect(space.learningRates == [0.001, 0.01])
        #expect(space.samplers == [[.inBatch], [.inBatch, .uniform(count: 64)]])
        #expect(space.dimensions == [16] && space.losses == [.softmaxCrossEntropy, .bpr])
        #expect(throws: ConfigurationError.self) { try space.set("dims", text: "16.5") }
        #expect(throws: ConfigurationError.self) { try space.set("losses", text: "hinge") }
        #expect(throws: ConfigurationError.self) { try space.set("samplers", text: "uniform") }
        space.dimensions = []
        #expect(throws: ConfigurationError.self) { try space.validate() }
    }

    @Test func spaceFileErrorsNameTheFileAndTheKey() throws {
        let dir = temporaryDirectory("space")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func file(_ text: String) throws -> String {
            let path = dir + "/space.json"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let good = try SearchSpace(file: try file(#"{"learning-rates": [0.003, 1], "samplers": ["in-batch+uniform:8"], "similarities": ["cosine"]}"#))
        #expect(good.learningRates == [0.003, 1] && good.samplers == [[.inBatch, .uniform(count: 8)]] && good.similarities == [.cosine])
        #expect(good.dimensions == SearchSpace().dimensions)
        for (text, expected) in [(#"{"learning_rates": [0.1]}"#, "unknown key \"learning_rates\""),
                                 (#"{"dims": 64}"#, "\"dims\" must be an array"),
                                 (#"{"dims": ["64"]}"#, "\"dims\" must hold numbers"),
                                 (#"{"losses": [1]}"#, "\"losses\" must hold strings"),
                                 (#"{"logq": ["sometimes"]}"#, "\"logq\""),
                                 ("[1, 2]", "expected a JSON object"),
                                 ("{", "not valid JSON")] {
            let path = try file(text)
            do {
                _ = try SearchSpace(file: path)
                Issue.record("\(text) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.message.contains(path) && error.message.contains(expected), "\(error.message)")
            }
        }
    }

    @Test func timeBudgetsParse() throws {
        #expect(try TimeBudget.seconds(parsing: "90s") == 90)
        #expect(try TimeBudget.seconds(parsing: "30m") == 1800)
        #expect(try TimeBudget.seconds(parsing: "2h") == 7200)
        #expect(try TimeBudget.seconds(parsing: "1h30m") == 5400)
        #expect(try TimeBudget.seconds(parsing: "1.5h") == 5400)
        for bad in ["30", "", "m", "10x", "0s", "1..5m"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try TimeBudget.seconds(parsing: bad) }
        }
        #expect(TimeBudget.format(3725) == "1h02m" && TimeBudget.format(725) == "12m05s" && TimeBudget.format(42) == "42s")
    }
}
