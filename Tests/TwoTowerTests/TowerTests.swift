import Testing
import TowerCore
import TowerNN
import TowerTestSupport
@testable import TwoTower

@Suite struct TowerTests {
    /// Loss L = Σ w ⊙ tower(rows), in Double.
    private func loss(_ tower: Tower, _ rows: [Int32], _ w: Matrix) -> Double {
        let y = tower.forward(rows: rows, training: true)
        var s = 0.0
        for i in 0..<y.count { s += Double(y.storage[i]) * Double(w.storage[i]) }
        return s
    }

    private func configuration(_ kind: ModelConfiguration.TowerKind, l2: Bool) -> ModelConfiguration {
        var c = ModelConfiguration()
        c.tower = kind
        c.dimensions = 5
        c.embeddingDimensions = 3
        c.hiddenLayers = [7]
        c.l2Normalize = l2
        return c
    }

    private let genres = EntityFeature(name: "genres", vocabularySize: 4,
                                       values: .multi(offsets: [0, 2, 2, 3, 6, 7, 8], ids: [0, 1, 2, 1, 2, 3, 3, 0]))
    private let decade = EntityFeature(name: "decade", vocabularySize: 3, values: .single([0, 1, 2, 0, 1, 2]))

    @Test(arguments: [(ModelConfiguration.TowerKind.mf, false), (.mf, true), (.mlp, false), (.mlp, true)])
    func gradientsMatchFiniteDifferences(kind: ModelConfiguration.TowerKind, l2: Bool) {
        let tower = Tower(name: "item", entityCount: 6, features: [genres, decade],
                          configuration: configuration(kind, l2: l2), seed: 3)
        let rows: [Int32] = [1, 3, 3, 5, 0]   // a repeated row and an item with an empty bag
        let w = randomMatrix(rows: rows.count, columns: 5, seed: 9)
        _ = tower.forward(rows: rows, training: true)
        tower.backward(w)
        for p in tower.parameters {
            let analytic: Matrix = p.isSparse ? p.sparseGradient!.denseValues() : p.gradient
            var worst: Double = 0
            for index in stride(from: 0, to: p.value.count, by: max(1, p.value.count / 40)) {
                let old = p.value.storage[index]
                let h: Float = 1e-3
                p.value.storage[index] = old + h
                let up = loss(tower, rows, w)
                p.value.storage[index] = old - h
                let down = loss(tower, rows, w)
                p.value.storage[index] = old
                let numeric = (up - down) / Double(2 * h)
                worst = max(worst, abs(numeric - Double(analytic.storage[index])) / max(1, abs(numeric)))
            }
            #expect(worst < 2e-2, "parameter \(p.name): relative gradient error \(worst)")
        }
    }

    @Test func mfTowerIgnoresFeaturesAndEmbedsAll() {
        let tower = Tower(name: "user", entityCount: 6, features: [genres], configuration: configuration(.mf, l2: true), seed: 1)
        #expect(tower.parameters.count == 1)
        let all = tower.embedAll(blockSize: 4)
        let some = tower.forward(rows: [4, 1], training: false)
        #expect(all.rows(4..<5).copy().storage == Array(some.storage[0..<5]))
        for r in 0..<6 {
            let norm = all.row(r).reduce(0) { $0 + $1 * $1 }
            #expect(abs(norm - 1) < 1e-5)
        }
    }

    /// The user-history bag leaves out the row's positive while training: the same tower with
    /// the positive already removed from the histories gives the same output.
    @Test func historyBagLeavesOutThePositive() {
        let c = configuration(.mlp, l2: false)
        let full = EntityFeature(name: "history", vocabularySize: 6, values: .multi(offsets: [0, 2, 3, 3], ids: [2, 5, 4]),
                                 excludesTarget: true)
        let without = EntityFeature(name: "history", vocabularySize: 6, values: .multi(offsets: [0, 1, 1, 1], ids: [2]))
        let a = Tower(name: "user", entityCount: 3, features: [full], configuration: c, seed: 4)
        let b = Tower(name: "user", entityCount: 3, features: [without], configuration: c, seed: 4)
        let targets: [Int32] = [5, 4, 1]
        let rows: [Int32] = [0, 1, 2]
        let withTargets = rows.withUnsafeBufferPointer { r in
            targets.withUnsafeBufferPointer { a.forward(rows: r, training: true, targets: $0) }
        }
        #expect(withTargets == b.forward(rows: [0, 1, 2], training: true))
        #expect(a.forward(rows: [0, 1, 2], training: false) != withTargets, "without targets the history is whole")
    }

    @Test func historyFeatureKeepsTheMostRecentItems() {
        let f = EntityFeature.history(users: [0, 0, 0, 1], items: [3, 1, 2, 0], timestamps: [30, 10, 20, 5],
                                      userCount: 3, itemCount: 4, count: 2)
        #expect(f.values == .multi(offsets: [0, 2, 3, 3], ids: [2, 3, 0]))
        #expect(f.excludesTarget)
    }

    @Test func itemFeaturesCanBeTurnedOff() {
        var c = configuration(.mlp, l2: false)
        let with = TwoTowerModel(configuration: c, userCount: 3, itemCount: 6, itemFeatures: [genres, decade], seed: 1)
        #expect(with.itemTower.featureNames == ["genres", "decade"])
        c.useItemFeatures = false
        let without = TwoTowerModel(configuration: c, userCount: 3, itemCount: 6, itemFeatures: [genres, decade], seed: 1)
        #expect(without.itemTower.featureNames.isEmpty)
        #expect(without.parameters.count < with.parameters.count)
    }

    @Test func merlinEmbeddingSizeRule() {
        #expect(inferredEmbeddingDimensions(cardinality: 10_001) == 24)  // ceil(10.0001·2)=21 → 24
        #expect(inferredEmbeddingDimensions(cardinality: 16) == 8)       // 4 → 8
        #expect(inferredEmbeddingDimensions(cardinality: 1_000_000) == 64) // 31.6·2 = 63.2 → 64
    }
}
