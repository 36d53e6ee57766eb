/// A log of interactions with dense ids: row `k` says user `users[k]` interacted with item
/// `items[k]` (at `timestamps[k]`, with `ratings[k]`, weighing `weights[k]`).
///
/// Users and items are rows of ``userVocabulary`` and ``itemVocabulary``, whose `counts` are the
/// interactions per row in the log they were built from. Splits share the vocabularies of the
/// whole log, so rows mean the same in train and test.
public struct InteractionLog: Sendable, Equatable {
    /// User row per interaction, `[count]`.
    public var users: [Int32]
    /// Item row per interaction, `[count]`.
    public var items: [Int32]
    /// Time per interaction, `[count]`, when the source had one.
    public var timestamps: [Int64]?
    /// Rating per interaction, `[count]`, when the source had one.
    public var ratings: [Float]?
    /// Sample weight per interaction, `[count]` (nil: all 1), e.g. repeat counts after de-duplication.
    public var weights: [Float]?
    public var userVocabulary: Vocabulary
    public var itemVocabulary: Vocabulary
    /// Side features of users, each with `userVocabulary.count` rows.
    public var userFeatures: [FeatureTable]
    /// Side features of items, each with `itemVocabulary.count` rows.
    public var itemFeatures: [FeatureTable]

    public init(users: [Int32], items: [Int32], timestamps: [Int64]? = nil, ratings: [Float]? = nil,
                weights: [Float]? = nil, userVocabulary: Vocabulary, itemVocabulary: Vocabulary,
                userFeatures: [FeatureTable] = [], itemFeatures: [FeatureTable] = []) {
        let n = users.count
        precondition(items.count == n, "InteractionLog: \(items.count) items for \(n) users")
        precondition(timestamps == nil || timestamps!.count == n, "InteractionLog: \(timestamps!.count) timestamps for \(n) rows")
        precondition(ratings == nil || ratings!.count == n, "InteractionLog: \(ratings!.count) ratings for \(n) rows")
        precondition(weights == nil || weights!.count == n, "InteractionLog: \(weights!.count) weights for \(n) rows")
        for f in userFeatures { precondition(f.rows == userVocabulary.count, "InteractionLog: user feature \(f.name) has \(f.rows) rows for \(userVocabulary.count) users") }
        for f in itemFeatures { precondition(f.rows == itemVocabulary.count, "InteractionLog: item feature \(f.name) has \(f.rows) rows for \(itemVocabulary.count) items") }
        self.users = users; self.items = items; self.timestamps = timestamps; self.ratings = ratings
        self.weights = weights; self.userVocabulary = userVocabulary; self.itemVocabulary = itemVocabulary
        self.userFeatures = userFeatures; self.itemFeatures = itemFeatures
    }

    /// Number of interactions.
    public var count: Int { users.count }
    /// Number of user rows (vocabulary size).
    public var userCount: Int { userVocabulary.count }
    /// Number of item rows (vocabulary size).
    public var itemCount: Int { itemVocabulary.count }

    /// The interactions at `rows` (in that order), with the same vocabularies.
    public func subset(rows: [Int]) -> InteractionLog {
        var copy = self
        copy.users = rows.map { users[$0] }
        copy.items = rows.map { items[$0] }
        copy.timestamps = timestamps.map { t in rows.map { t[$0] } }
        copy.ratings = ratings.map { r in rows.map { r[$0] } }
        copy.weights = weights.map { w in rows.map { w[$0] } }
        return copy
    }

    /// This log's interactions followed by `other`'s, over this log's vocabularies and features
    /// (e.g. the training part of a split and its validation part). A column only one of them
    /// has (timestamps, ratings, weights) is dropped.
    /// - Precondition: `other` uses the same vocabularies (same sizes; it is a part of the same log).
    public func appending(_ other: InteractionLog) -> InteractionLog {
        precondition(other.userCount == userCount && other.itemCount == itemCount,
                     "InteractionLog.appending: the logs have different vocabularies")
        var copy = self
        copy.users += other.users
        copy.items += other.items
        func joined<T>(_ a: [T]?, _ b: [T]?) -> [T]? { if let a, let b { a + b } else { nil } }
        copy.timestamps = joined(timestamps, other.timestamps)
        copy.ratings = joined(ratings, other.ratings)
        copy.weights = joined(weights, other.weights)
        return copy
    }

    /// Interactions per user row and per item row in this log.
    public func rowCounts() -> (users: [Int], items: [Int]) {
        var u = [Int](repeating: 0, count: userCount), i = [Int](repeating: 0, count: itemCount)
        users.withUnsafeBufferPointer { us in
            items.withUnsafeBufferPointer { its in
                for k in 0..<us.count { u[Int(us[k])] += 1; i[Int(its[k])] += 1 }
            }
        }
        return (u, i)
    }

    /// The same log with vocabulary counts recomputed from its interactions.
    public func recounted() -> InteractionLog {
        var copy = self
        let (u, i) = rowCounts()
        copy.userVocabulary.counts = u
        copy.itemVocabulary.counts = i
        return copy
    }

    /// Keeps the user rows `userOrder` and item rows `itemOrder` (`order[newRow] = oldRow`),
    /// renumbering interactions and features; interactions of dropped rows are dropped.
    public func remapped(userOrder: [Int32], itemOrder: [Int32]) -> InteractionLog {
        var userMap = [Int32](repeating: -1, count: userCount)
        for (new, old) in userOrder.enumerated() { userMap[Int(old)] = Int32(new) }
        var itemMap = [Int32](repeating: -1, count: itemCount)
        for (new, old) in itemOrder.enumerated() { itemMap[Int(old)] = Int32(new) }
        var keep: [Int] = []
        keep.reserveCapacity(count)
        for k in 0..<count where userMap[Int(users[k])] >= 0 && itemMap[Int(items[k])] >= 0 { keep.append(k) }
        var out = keep.count == count ? self : subset(rows: keep)
        out.users = out.users.map { userMap[Int($0)] }
        out.items = out.items.map { itemMap[Int($0)] }
        out.userVocabulary = userVocabulary.reordered(userOrder)
        out.itemVocabulary = itemVocabulary.reordered(itemOrder)
        out.userFeatures = userFeatures.map { $0.reordered(userOrder) }
        out.itemFeatures = itemFeatures.map { $0.reordered(itemOrder) }
        return out.recounted()
    }

    /// Users and items renumbered by decreasing interaction count (ties keep their order): row 0
    /// is the most frequent, as NVTabular's Categorify orders and the log-uniform sampler assumes.
    public func orderedByFrequency() -> InteractionLog {
        let c = recounted()
        return c.remapped(userOrder: c.userVocabulary.frequencyOrder(), itemOrder: c.itemVocabulary.frequencyOrder())
    }

    /// Drops users and items without interactions from the vocabularies (order kept).
    public func compacted() -> InteractionLog {
        let (u, i) = rowCounts()
        let userOrder = (0..<Int32(userCount)).filter { u[Int($0)] > 0 }
        let itemOrder = (0..<Int32(itemCount)).filter { i[Int($0)] > 0 }
        if userOrder.count == userCount && itemOrder.count == itemCount { return recounted() }
        return remapped(userOrder: userOrder, itemOrder: itemOrder)
    }

    /// Row indices grouped by user: the rows of user `u` are `rows[offsets[u] ..< offsets[u + 1]]`,
    /// in log order (a stable counting sort).
    public func rowsByUser() -> (offsets: [Int], rows: [Int32]) {
        var offsets = [Int](repeating: 0, count: userCount + 1)
        for u in users { offsets[Int(u) + 1] += 1 }
        for u in 0..<userCount { offsets[u + 1] += offsets[u] }
        var next = offsets
        var rows = [Int32](repeating: 0, count: count)
        for k in 0..<count {
            let u = Int(users[k])
            rows[next[u]] = Int32(k); next[u] += 1
        }
        return (offsets, rows)
    }
}
