/// The top items of one query as item rows and scores, best first (higher score, then lower row).
public struct RankedItems: Sendable, Equatable {
    public var rows: [Int32]
    public var scores: [Float]

    /// The first `k` entries.
    func prefix(_ k: Int) -> RankedItems {
        RankedItems(rows: Array(rows.prefix(k)), scores: Array(scores.prefix(k)))
    }

    /// As response entries with the model's raw item ids.
    func items(_ model: ServingModel) -> [ItemScore] {
        zip(rows, scores).map { ItemScore(itemID: model.itemID($0.0), score: $0.1) }
    }
}

/// One query of a retrieval: the embedding, the number of results, the item rows never returned.
public struct RetrievalQuery: Sendable {
    /// `d` floats.
    public var embedding: [Float]
    /// Results wanted, at least 1 (fewer come back only when fewer items are eligible).
    public var k: Int
    /// Item rows never returned, sorted ascending.
    public var excluded: [Int32]
}
