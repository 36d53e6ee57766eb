/// Which in-batch candidates a rank scores its rows against in data-parallel training.
///
/// With N ranks each holding B/N rows of a global batch of B:
/// - ``global`` (TwoTower's default): all B positives of the global batch, all-gathered — N ranks
///   compute exactly what one process computes with batch B (the gathered-negatives scheme of
///   CLIP and sentence-transformers' `CachedGISTEmbedLoss`/`gather_across_devices`).
/// - ``local``: only the rank's own B/N positives — what TensorFlow Recommenders and Merlin do
///   under Horovod (TFRS issues #561, #710), so the softmax has B/N − 1 in-batch negatives per row
///   and the loss, the best learning rate and the final quality change with N. The streaming
///   frequency estimator and the caches then see only the rank's slice too.
/// Alone (one rank) both are the same.
public enum NegativeScope: String, Codable, Sendable, CaseIterable {
    case global
    case local
}
