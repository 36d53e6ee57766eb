import TowerNN

/// The L2 penalty on the id-embedding rows a batch looks up (``TrainingConfiguration/resolvedEmbeddingL2``):
/// `(λ/2) · Σ_occurrences ‖e‖² · s`, `s = 1/B` with the mean reduction and 1 with the sum, over the
/// batch's users, positives and corpus-drawn negatives (in-batch negatives are the positives;
/// cached rows are constants). LightGCN's `reg_loss` and BPR implementations regularise this way.
///
/// Data-parallel, each rank adds its share so that the sum over ranks is the global batch's
/// penalty: its own users and positives, and the corpus draws — embedded on every rank — divided by
/// the number of ranks with global negatives (counted once), in full with local negatives (each
/// slice trained alone counts them, as ``NegativeScope/local`` specifies).
extension Trainer {
    /// `λ · s` for one occurrence, and the factor of corpus draws; `nil` when the penalty is off.
    private func embeddingL2Coefficients(globalRows: Int) -> (perRow: Float, drawFactor: Float)? {
        let lambda = configuration.resolvedEmbeddingL2
        guard lambda > 0 else { return nil }
        let perRow = configuration.reduction == .mean ? lambda / Float(globalRows) : lambda
        let sharedDraws = communicator.size > 1 && negativeScope == .global
        return (perRow, sharedDraws ? 1 / Float(communicator.size) : 1)
    }

    /// This rank's share of the penalty, read after the forward pass (before the update changes
    /// the tables). `localRows` users and positives, then `drawnRows` corpus draws in the item
    /// tower's lookup.
    func embeddingPenalty(localRows b: Int, drawnRows: Int, globalRows: Int) -> Double {
        guard let c = embeddingL2Coefficients(globalRows: globalRows) else { return 0 }
        let users = model.queryTower.idEmbedding.squaredNorms(positions: 0..<b)
        let positives = model.itemTower.idEmbedding.squaredNorms(positions: 0..<b)
        let draws = model.itemTower.idEmbedding.squaredNorms(positions: b ..< b + drawnRows)
        return 0.5 * Double(c.perRow) * (users + positives + Double(c.drawFactor) * draws)
    }

    /// Adds the penalty's gradient to the embedding tables' sparse gradients (after the towers'
    /// backward pass, before gradients are summed over ranks).
    func addEmbeddingL2Gradient(localRows b: Int, drawnRows: Int, globalRows: Int) {
        guard let c = embeddingL2Coefficients(globalRows: globalRows) else { return }
        model.queryTower.idEmbedding.addL2Gradient(coefficient: c.perRow, positions: 0..<b)
        model.itemTower.idEmbedding.addL2Gradient(coefficient: c.perRow, positions: 0..<b)
        model.itemTower.idEmbedding.addL2Gradient(coefficient: c.perRow * c.drawFactor, positions: b ..< b + drawnRows)
    }
}
