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

    /// Checks the cut-offs (and, given the catalogue size, that per-row ranking can reach them;
    /// the per-user protocol caps a k beyond the catalogue at it).
    /// - Throws: ``ConfigurationError`` naming `{ks}`.
    public func validate(itemCount: Int? = nil) throws {
        guard !ks.isEmpty, ks.allSatisfy({ $0 > 0 }) else {
            throw ConfigurationError("{ks} needs positive cut-offs, found \(ks.map(String.init).joined(separator: ","))")
        }
        var seen = Set<Int>()
        if let k = ks.first(where: { !seen.insert($0).inserted }) {
            throw ConfigurationError("{ks} gives the cut-off \(k) twice (\(ks.map(String.init).joined(separator: ","))): give each k once")
        }
        if protocolKind == .perRow, let itemCount, let k = ks.max(), k > itemCount {
            throw ConfigurationError("{ks} \(k) is larger than the \(itemCount) items per-row evaluation ranks; use k ≤ \(itemCount) (the per-user protocol caps k at the catalogue)")
        }
    }
}
