import TowerFormats
import TwoTower
/// How a trained model is measured.
public struct EvaluationSettings: Sendable, Equatable, Codable {
    /// The two full-corpus protocols.
    public enum ProtocolKind: String, Sendable, Equatable, Codable, CaseIterable {
        /// All held-out items of a user are relevant; the user's training items are excluded from
        /// the ranking; Recall@k = hits / held-out count (LightGCN/BARS tables).
        case perUser = "per-user"
        /// Merlin's: one target per held-out row, nothing excluded, random tie-breaking.
        case perRow = "per-row"
    }

    /// Metric cut-offs.
    public var ks: [Int] = [10, 20, 50]
    public var protocolKind: ProtocolKind = .perUser
    /// Seeds random tie-breaking and the random baseline.
    public var seed: UInt64 = 42
    /// Ranking threads (`nil`: by problem size).
    public var threads: Int? = nil

    public init() {}
}
