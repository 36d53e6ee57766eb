import TowerCore
@testable import TwoTower

/// A sampler returning fixed rows; `flow` says whether they are detached (a stand-in for a cache,
/// which lets finite differences re-run the forward without changing state) or live corpus rows.
final class FixedSampler: ItemSampler {
    var rows: Matrix
    var ids: [Int]
    let flow: NegativeGradientFlow
    init(rows: Matrix, ids: [Int], flow: NegativeGradientFlow) { self.rows = rows; self.ids = ids; self.flow = flow }
    var maxNumSamples: Int? { rows.rows }
    var requiredFeatures: [String] { [] }
    var negativeGradientFlow: NegativeGradientFlow { flow }
    func add(_ items: EmbeddingWithMetadata, training: Bool) throws {}
    func sample() throws -> EmbeddingWithMetadata { try EmbeddingWithMetadata(embeddings: rows, metadata: ["item_id": ids]) }
    func callAsFunction(_ items: EmbeddingWithMetadata, training: Bool) throws -> EmbeddingWithMetadata { try sample() }
}

func withIds(_ m: Matrix, _ ids: [Int]) throws -> EmbeddingWithMetadata {
    try EmbeddingWithMetadata(embeddings: m, metadata: ["item_id": ids])
}

/// One forward + loss.
func scorerLoss(_ scorer: ItemRetrievalScorer, _ q: Matrix, _ i: Matrix, _ ids: [Int],
                loss: RetrievalLoss = .softmaxCrossEntropy, weights: [Float]? = nil) throws -> Float {
    let scores = try scorer(query: q, items: withIds(i, ids), training: true)
    return scorer.lossAndGradient(scores, loss: loss, sampleWeights: weights)
}

/// Largest `|fd − analytic| / max(1, |analytic|)` over every element of `m`, with central
/// differences of step `eps` on `loss(perturbed m)`.
func finiteDifferenceError(_ m: Matrix, analytic: Matrix, eps: Float = 1e-2, _ loss: (Matrix) throws -> Float) rethrows -> Float {
    var worst: Float = 0
    for k in 0..<m.count {
        var plus = m, minus = m
        plus.storage[k] += eps
        minus.storage[k] -= eps
        let fd = (try loss(plus) - loss(minus)) / (2 * eps)
        let a = analytic.storage[k]
        worst = max(worst, abs(fd - a) / max(1, abs(a)))
    }
    return worst
}
