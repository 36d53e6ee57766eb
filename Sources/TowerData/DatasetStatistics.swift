import Foundation

/// Size and skew of an interaction log, as the CLI prints them.
public struct DatasetStatistics: Sendable, Equatable, CustomStringConvertible {
    /// Users with at least one interaction.
    public var users: Int
    /// Items with at least one interaction.
    public var items: Int
    public var interactions: Int
    /// `interactions / (users · items)`.
    public var density: Double
    /// Gini coefficient of the interaction counts of the active items (0 = uniform, → 1 = one item).
    public var giniItemPopularity: Double
    /// Share of interactions held by the most popular 1% of items (at least one item).
    public var topOnePercentShare: Double
    public var meanInteractionsPerUser: Double
    public var medianInteractionsPerUser: Double
    public var maxInteractionsPerUser: Int
    public var hasTimestamps: Bool
    public var hasRatings: Bool

    public init(_ log: InteractionLog) {
        let (u, i) = log.rowCounts()
        let userCounts = u.filter { $0 > 0 }.sorted()
        let itemCounts = i.filter { $0 > 0 }.sorted()
        users = userCounts.count
        items = itemCounts.count
        interactions = log.count
        density = users > 0 && items > 0 ? Double(interactions) / (Double(users) * Double(items)) : 0
        // Gini over ascending counts: G = Σ (2k − n − 1) x_k / (n Σ x).
        let n = Double(itemCounts.count), total = Double(itemCounts.reduce(0, +))
        var g = 0.0
        for (k, x) in itemCounts.enumerated() { g += (2 * Double(k + 1) - n - 1) * Double(x) }
        giniItemPopularity = total > 0 ? g / (n * total) : 0
        let top = max(1, Int((n * 0.01).rounded(.up)))
        topOnePercentShare = total > 0 ? Double(itemCounts.suffix(top).reduce(0, +)) / total : 0
        meanInteractionsPerUser = users > 0 ? Double(interactions) / Double(users) : 0
        if userCounts.isEmpty {
            medianInteractionsPerUser = 0
        } else if userCounts.count % 2 == 1 {
            medianInteractionsPerUser = Double(userCounts[userCounts.count / 2])
        } else {
            medianInteractionsPerUser = Double(userCounts[userCounts.count / 2 - 1] + userCounts[userCounts.count / 2]) / 2
        }
        maxInteractionsPerUser = userCounts.last ?? 0
        hasTimestamps = log.timestamps != nil
        hasRatings = log.ratings != nil
    }

    /// A two-column table, one statistic per line.
    public var description: String {
        let rows: [(String, String)] = [
            ("users", "\(users)"),
            ("items", "\(items)"),
            ("interactions", "\(interactions)"),
            ("density", String(format: "%.6f", density)),
            ("Gini of item popularity", String(format: "%.3f", giniItemPopularity)),
            ("share of top 1% items", String(format: "%.1f%%", topOnePercentShare * 100)),
            ("interactions per user (mean)", String(format: "%.1f", meanInteractionsPerUser)),
            ("interactions per user (median)", String(format: "%.1f", medianInteractionsPerUser)),
            ("interactions per user (max)", "\(maxInteractionsPerUser)"),
            ("timestamps", hasTimestamps ? "yes" : "no"),
            ("ratings", hasRatings ? "yes" : "no"),
        ]
        let width = rows.map(\.0.count).max()!
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
