/// The sampling probability of an item under mixed negatives — in-batch or cached rows (drawn
/// from the unigram, i.e. training-frequency, distribution) together with corpus samplers that
/// report their draw probabilities (`uniform:N`, `popularity:N`) — for logQ correction.
///
/// Every column of item `j`, and a row's positive, is corrected by the expected number of times
/// `j` is among the step's candidates:
/// ```
/// q_j = W · f_j + Σ_c π_c(j)
/// W   = Σ_{unigram blocks k} n_k / R
/// ```
/// `f_j` is the frequency source (a static table's per-draw probability with `R = 1`, or the
/// streaming estimator's expected count among the `R` rows it counts per step), `n_k` a unigram
/// block's rows (the batch, a cache's stored rows) and `π_c(j)` corpus sampler `c`'s inclusion
/// probability of `j` (uniform: `S/N`; popularity: `1 − (1 − P(j))^tries`). This is the proposal
/// `Q*` of mixed negative sampling (Yang et al., WWW 2020: "a mixture of unigram and uniform set
/// by the B : B′ ratio"), the balance heuristic of multiple importance sampling: correcting each
/// column by its own sampler's probability alone would count the partition function once per
/// sampler (each block alone estimates it) and bias the loss against the positive.
///
/// Without a probability-reporting corpus block the correction is the frequency alone, as before
/// (`W` is then a constant that cancels in the softmax); without unigram blocks (`uniform:N` only)
/// `W = 0` and the correction is the draw probability.
struct NegativeMixture {
    let unigramWeight: Double
    /// The step's blocks (shared with the caller, not copied); those with a probability source are the corpus samplers.
    let blocks: [NegativeBlock]

    /// `q_j` for item `id` whose frequency source gives `frequency`.
    @inline(__always)
    func probability(of id: Int, frequency: Double) -> Double {
        var q = unigramWeight * frequency
        for block in blocks { if let sampler = block.probabilitySource { q += sampler.inclusionProbability(of: id) } }
        return q
    }
}

extension ItemRetrievalScorer {
    /// The mixture of `negatives`, or `nil` when no block reports draw probabilities.
    /// - Parameter rowsPerFrequencyUnit: `R` above (1 for a per-draw table).
    func negativeMixture(_ negatives: [NegativeBlock], rowsPerFrequencyUnit: Int) -> NegativeMixture? {
        // No array is built: this runs every training step.
        var unigramRows = 0, corpusBlocks = 0
        for block in negatives {
            if block.probabilitySource != nil { corpusBlocks += 1 } else { unigramRows += block.count }
        }
        guard corpusBlocks > 0 else { return nil }
        return NegativeMixture(unigramWeight: Double(unigramRows) / Double(max(rowsPerFrequencyUnit, 1)), blocks: negatives)
    }
}
