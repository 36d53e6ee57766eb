extension InteractionLog {
    /// A log of raw (user, item) ids held in memory: what a Swift caller has instead of a file.
    ///
    /// Pair `k` says user `users[k]` interacted with item `items[k]`. Ids follow ``IdRule`` as the
    /// generic CSV reader applies it: spaces and tabs around an id are removed, ids are text
    /// compared byte for byte (`01` and `1` are two ids), and an id that is empty after trimming
    /// or holds a control character is an error. Rows are numbered in order of first appearance
    /// with the interaction counts in the vocabularies (train on ``orderedByFrequency()``, as every
    /// reader's caller does); repeated pairs are kept, each one training example.
    /// - Parameters:
    ///   - users: `[n]` raw user ids.
    ///   - items: `[n]` raw item ids.
    ///   - timestamps: `[n]` times (any unit, e.g. Unix seconds), for leave-last-out splits and the
    ///     user-history feature; `nil` when there are none.
    ///   - weights: `[n]` sample weights, finite and ≥ 0 (the loss of pair `k` is multiplied by
    ///     `weights[k]`); `nil`: all 1.
    /// - Throws: ``DataError/invalidRequest(_:)`` naming the pair index (0-based, as in the arrays), the field and what was
    ///   expected (`pair 3: item id "": expected a non-empty id without control characters`), or the
    ///   columns whose lengths differ.
    public init(users: [String], items: [String], timestamps: [Int64]? = nil, weights: [Float]? = nil) throws(DataError) {
        let n = users.count
        for (name, count) in [("items", items.count), ("timestamps", timestamps?.count ?? n), ("weights", weights?.count ?? n)]
        where count != n {
            throw .invalidRequest("in-memory interactions: \(n) users but \(count) \(name); every column needs one value per pair")
        }
        // Keyed by bytes (IdBytes): Swift's String equality would merge NFC and NFD forms, which IdRule keeps apart.
        var userRows: [IdBytes: Int32] = [:], itemRows: [IdBytes: Int32] = [:]
        var userIds: [String] = [], itemIds: [String] = []
        var userColumn = [Int32](), itemColumn = [Int32]()
        userColumn.reserveCapacity(n)
        itemColumn.reserveCapacity(n)
        /// The row of `raw` after ``IdRule`` (new ids get the next row).
        func row(_ raw: String, _ field: String, _ k: Int, _ rows: inout [IdBytes: Int32], _ ids: inout [String]) throws(DataError) -> Int32 {
            let id = String(IdRule.trimmed(raw))
            guard !id.isEmpty, !IdRule.containsControl(id.utf8) else {
                throw .invalidRequest("in-memory interactions: pair \(k): \(field) id \(raw.debugDescription): expected a non-empty id without control characters (tab, newline, CR, NUL…)")
            }
            if let r = rows[IdBytes(id)] { return r }
            let r = Int32(ids.count)
            rows[IdBytes(id)] = r
            ids.append(id)
            return r
        }
        for k in 0..<n {
            userColumn.append(try row(users[k], "user", k, &userRows, &userIds))
            itemColumn.append(try row(items[k], "item", k, &itemRows, &itemIds))
            if let w = weights?[k], !(w.isFinite && w >= 0) {
                throw .invalidRequest("in-memory interactions: pair \(k): weight \(w): expected a finite weight ≥ 0")
            }
        }
        self.init(users: userColumn, items: itemColumn, timestamps: timestamps, weights: weights,
                  userVocabulary: Vocabulary(name: "user", ids: userIds), itemVocabulary: Vocabulary(name: "item", ids: itemIds))
        self = recounted()
    }

    /// ``init(users:items:timestamps:weights:)`` from `(user, item)` pairs.
    public init(pairs: some Sequence<(String, String)>) throws(DataError) {
        var users: [String] = [], items: [String] = []
        for (u, i) in pairs { users.append(u); items.append(i) }
        try self.init(users: users, items: items)
    }
}
