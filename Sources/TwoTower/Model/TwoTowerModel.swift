import TowerCore
import TowerNN

/// A two-tower retrieval model: a query (user) tower and an item tower mapping into one
/// `dimensions`-wide space; the score of (user, item) is the dot product of their embeddings.
///
/// Towers have the same architecture and separate weights (Merlin's default when the item tower
/// is not given). Parameter names are `user.*` and `item.*`.
public final class TwoTowerModel {
    /// How the towers were built.
    public let configuration: ModelConfiguration
    /// Users → query embeddings `[n, dimensions]`.
    public let queryTower: Tower
    /// Items → item embeddings `[n, dimensions]`.
    public let itemTower: Tower
    /// Every trainable parameter: the query tower's, then the item tower's.
    public let parameters: [Parameter]

    /// A freshly initialised model for `userCount` users and `itemCount` items, with optional side
    /// features (used by MLP towers; item features only with `useItemFeatures`), seeded by `seed`.
    /// `loadedTables`: embedding tables by parameter name used instead of random draws (see ``Tower``).
    public init(configuration: ModelConfiguration, userCount: Int, itemCount: Int,
                userFeatures: [EntityFeature] = [], itemFeatures: [EntityFeature] = [], seed: UInt64,
                loadedTables: [String: Matrix] = [:]) {
        self.configuration = configuration
        var seeds = SplitMix64(seed: seed)
        queryTower = Tower(name: "user", entityCount: userCount, features: userFeatures,
                           configuration: configuration, seed: seeds.next(), loadedTables: loadedTables)
        itemTower = Tower(name: "item", entityCount: itemCount,
                          features: configuration.useItemFeatures ? itemFeatures : [],
                          configuration: configuration, seed: seeds.next(), loadedTables: loadedTables)
        parameters = queryTower.parameters + itemTower.parameters
    }

    /// Number of users (query tower rows).
    public var userCount: Int { queryTower.entityCount }
    /// Number of items (item tower rows).
    public var itemCount: Int { itemTower.entityCount }
    /// Output width of both towers.
    public var dimensions: Int { configuration.dimensions }

    /// Scores `[users.count, items.count]`: the raw dot products used at inference.
    public func scores(users: [Int32], items: [Int32]) -> Matrix {
        let q = queryTower.forward(rows: users, training: false)
        let queries = Matrix(rows: q.rows, columns: q.columns, values: q.storage)
        let i = itemTower.forward(rows: items, training: false)
        var out = Matrix(rows: users.count, columns: items.count)
        gemm(.none, .transposed, queries, i, into: &out)
        return out
    }
}
