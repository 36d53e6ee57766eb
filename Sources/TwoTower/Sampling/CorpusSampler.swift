import TowerCore

/// A sampler that draws item ids from the whole corpus and needs the item tower to embed them
/// before scoring (mixed negative sampling, Yang et al. 2020): the trainer calls ``sampleIds()``,
/// runs the item tower on the ids together with the batch's positives, and hands the embeddings
/// back with ``provideEmbeddings(_:)``. Gradients then reach the drawn rows.
public protocol CorpusSampler: ItemSampler {
    /// Draws this step's ids (shared by the whole batch).
    func sampleIds() -> [Int]
    /// The item tower's embeddings `[ids.count, d]` of the ids of the last ``sampleIds()``.
    func provideEmbeddings(_ embeddings: Matrix) throws
}

extension PopularityBasedSampler: CorpusSampler {}
extension UniformCorpusSampler: CorpusSampler {}
