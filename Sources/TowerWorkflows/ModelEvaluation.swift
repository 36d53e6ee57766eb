import TowerCore
import TowerData
import TowerFormats
import TwoTower

/// Full-corpus evaluation of a model and of the baselines on the same held-out data.
public enum ModelEvaluation {
    /// Held-out data in the form the ranking needs.
    public struct HeldOut: Sendable {
        /// Per user, the relevant items (per-user protocol).
        public var itemsByUser: IndexLists
        /// Per user, the training items excluded from the ranking (per-user protocol).
        public var excludedByUser: IndexLists
        /// The held-out rows (per-row protocol).
        public var rows: InteractionLog
        /// Training interactions per item (popularity baseline, popularity percentiles).
        public var itemCounts: [Int]

        /// The test part of `split`, ranked against the whole training part (train + validation:
        /// a validation item is a known item of the user, excluded like the others).
        public static func test(_ split: DatasetSplit) -> HeldOut {
            HeldOut(itemsByUser: lists(split.testItemsByUser), excludedByUser: lists(split.trainingPartItemsByUser),
                    rows: split.test, itemCounts: split.trainingPartItemCounts)
        }

        /// The validation part of `split`, when it has one.
        public static func validation(_ split: DatasetSplit) -> HeldOut? {
            guard let items = split.validationItemsByUser, let rows = split.validation else { return nil }
            return HeldOut(itemsByUser: lists(items), excludedByUser: lists(split.trainItemsByUser), rows: rows,
                           itemCounts: split.trainItemCounts)
        }
    }

    /// Ranks every item for the held-out users by the dot product of `queries` `[users, d]`
    /// and `items` `[items, d]`.
    public static func evaluate(queries: Matrix, items: Matrix, on heldOut: HeldOut,
                                settings: EvaluationSettings) throws -> EvaluationResult {
        switch settings.protocolKind {
        case .perUser:
            return try Evaluation.perUser(queries: queries, items: items, heldOut: heldOut.itemsByUser,
                                          excluded: heldOut.excludedByUser, ks: settings.ks,
                                          itemCounts: heldOut.itemCounts, threads: settings.threads)
        case .perRow:
            let rowQueries = gatherRows(queries, heldOut.rows.users)
            return try Evaluation.perRow(queries: rowQueries, items: items, targets: heldOut.rows.items,
                                         ks: settings.ks, seed: settings.seed, threads: settings.threads)
        }
    }

    /// Evaluates `model` (inference embeddings of every user and item).
    public static func evaluate(_ model: TwoTowerModel, on heldOut: HeldOut, settings: EvaluationSettings) throws -> EvaluationResult {
        try evaluate(queries: model.queryTower.embedAll(), items: model.itemTower.embedAll(),
                     on: heldOut, settings: settings)
    }

    /// The baselines of the published tables: `popularity`, `random`, and `oracle` when the
    /// generator's truth is known — in that order.
    public static func baselines(on heldOut: HeldOut, truth: SyntheticTruth?, settings: EvaluationSettings) throws
        -> [(name: String, result: EvaluationResult)] {
        let users = heldOut.itemsByUser.count, items = heldOut.itemCounts.count
        var out: [(String, EvaluationResult)] = []
        let popularity = Baselines.popularityEmbeddings(itemCounts: heldOut.itemCounts, users: users)
        out.append(("popularity", try evaluate(queries: popularity.queries, items: popularity.items, on: heldOut, settings: settings)))
        switch settings.protocolKind {
        case .perUser:
            out.append(("random", try Baselines.random(items: items, heldOut: heldOut.itemsByUser,
                                                       excluded: heldOut.excludedByUser, ks: settings.ks,
                                                       itemCounts: heldOut.itemCounts, seed: settings.seed)))
        case .perRow:
            out.append(("random", try Baselines.randomPerRow(items: items, rows: heldOut.rows.count,
                                                             ks: settings.ks, seed: settings.seed)))
        }
        if let truth {
            let oracle = Baselines.oracleEmbeddings(userFactors: truth.userFactors, itemFactors: truth.itemFactors,
                                                    itemLogPopularity: truth.itemLogPopularity, temperature: truth.temperature)
            out.append(("oracle", try evaluate(queries: oracle.queries, items: oracle.items, on: heldOut, settings: settings)))
        }
        return out
    }

    static func lists(_ lists: UserItemLists) -> IndexLists {
        IndexLists(offsets: lists.offsets, values: lists.items)
    }

    static func gatherRows(_ matrix: Matrix, _ rows: [Int32]) -> Matrix {
        var out = Matrix(rows: rows.count, columns: matrix.columns)
        let d = matrix.columns
        matrix.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (i, r) in rows.enumerated() {
                    (dst.baseAddress! + i * d).update(from: src.baseAddress! + Int(r) * d, count: d)
                }
            }
        }
        return out
    }
}
