import Foundation

/// Item probabilities from a static frequency table (Merlin's `PopularityLogitsCorrection`).
///
/// `probabilities[id]` for ids `0 ..< count`: either counts normalised by their sum
/// (`isProbabilityDistribution: false`, the default) or given probabilities that sum to 1.
public struct ItemFrequencyTable: Sendable {
    /// `[numItems]` probabilities indexed by item id.
    public let probabilities: [Float]

    /// - Throws: ``ScorerError/invalidFrequencies(_:)`` for an empty table, a negative or
    ///   non-finite value, a zero total, or (with `isProbabilityDistribution`) a sum not within 1e-3 of 1.
    public init(frequencies: [Float], isProbabilityDistribution: Bool = false) throws {
        guard !frequencies.isEmpty else { throw ScorerError.invalidFrequencies("the item frequency table is empty") }
        var total: Double = 0
        for (i, f) in frequencies.enumerated() {
            guard f.isFinite && f >= 0 else {
                throw ScorerError.invalidFrequencies("item frequency table: entry \(i) is \(f), expected a finite value >= 0")
            }
            total += Double(f)
        }
        guard total > 0 else { throw ScorerError.invalidFrequencies("item frequency table: all \(frequencies.count) frequencies are 0") }
        if isProbabilityDistribution {
            guard abs(total - 1) <= 1e-3 else {
                throw ScorerError.invalidFrequencies("item probability table sums to \(total), expected 1 (isProbabilityDistribution: true)")
            }
            probabilities = frequencies
        } else {
            probabilities = frequencies.map { Float(Double($0) / total) }
        }
    }
}

/// Where logQ correction takes each candidate's sampling probability `q` from. The correction
/// subtracts `regFactor · log(q + 1e-16)` (Merlin's ε) from every logit column, the positive
/// included; see ``TemperatureOrder`` for how it combines with the temperature. Training only.
public enum LogQCorrection {
    /// No correction.
    case none
    /// A static table indexed by item id (`reg_factor` as in Merlin's `PopularityLogitsCorrection`).
    case frequencyTable(ItemFrequencyTable, regFactor: Float = 1)
    /// The probabilities reported by the scorer's single sampler, which must be a
    /// ``ProbabilityReportingSampler`` (as Merlin's `logq_sampling_correction`, one sampler only):
    /// its ``ProbabilityReportingSampler/lastSampleProbabilities`` for the negatives and
    /// ``ProbabilityReportingSampler/inclusionProbability(of:)`` for the positives.
    case samplerProbabilities
    /// The streaming estimate of Yi et al.; with `update` the scorer feeds each training batch's
    /// positive ids to the estimator *before* reading the estimates.
    case frequencyEstimator(FrequencyEstimator, regFactor: Float = 1, update: Bool = true)
}

/// Order of logQ correction and temperature in training logits. False-negative rescoring always
/// comes before both. The raw values are the configuration's and the command line's names.
public enum TemperatureOrder: String, Codable, Sendable, Equatable, CaseIterable {
    /// `(s − log q) / T` — Merlin (the default).
    case logQThenTemperature = "merlin"
    /// `s / T − log q` — TFRS and Yi et al.
    case temperatureThenLogQ = "tfrs"
}

/// `−regFactor · log(q + 1e-16)` for each probability.
@inline(__always)
func logQBias(_ q: Double, regFactor: Float) -> Float {
    Float(-Double(regFactor) * log(q + 1e-16))
}
