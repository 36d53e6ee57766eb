/// Item-popularity deciles, for the popularity-bias view of a ranking: does a model recommend only
/// the head of the catalogue?
///
/// Items are ordered by training count, most popular first (ties to the lower item row), and cut
/// into 10 groups of (almost) equal size: decile 0 holds the most popular 10% of the items,
/// decile 9 the least popular 10%. Item at position `p` of that order (0-based, `I` items) is in
/// decile `⌊10·p / I⌋`. A ranking's decile shares are the fractions of its recommended slots
/// (every position of every top-k list) whose item is in each decile; the test data's shares are
/// the fractions of held-out interactions. A ranking that follows the test data has the same
/// shares; a popularity-biased one puts more in decile 0. (The plot of Abdollahpouri et al.,
/// "Managing Popularity Bias in Recommender Systems", 2017, by decile.)
public enum PopularityDeciles {
    /// The number of groups.
    public static let count = 10

    /// The decile (0 = most popular) of every item row, from training counts `[I]`.
    public static func deciles(itemCounts: [Int]) -> [Int] {
        let n = itemCounts.count
        let order = (0..<n).sorted { a, b in
            itemCounts[a] != itemCounts[b] ? itemCounts[a] > itemCounts[b] : a < b
        }
        var decile = [Int](repeating: 0, count: n)
        for (position, item) in order.enumerated() { decile[item] = position * count / n }
        return decile
    }

    /// The share of `items` (item rows, e.g. the held-out interactions) in each decile: `[10]`,
    /// summing to 1 (all zeros when `items` is empty).
    /// - Precondition: every row is in `0..<deciles.count`.
    public static func shares(of items: [Int32], deciles: [Int]) -> [Double] {
        var counts = [Int](repeating: 0, count: count)
        for v in items { counts[deciles[Int(v)]] += 1 }
        return normalised(counts)
    }

    /// `counts` divided by their sum (zeros when the sum is 0).
    static func normalised(_ counts: [Int]) -> [Double] {
        let total = counts.reduce(0, +)
        return counts.map { total > 0 ? Double($0) / Double(total) : 0 }
    }
}
