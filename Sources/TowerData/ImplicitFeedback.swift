/// What to do with repeated (user, item) pairs.
public enum DuplicatePolicy: Sendable, Equatable {
    /// Keep the earliest occurrence (by timestamp when present, else by position).
    case keepFirst
    /// Keep the latest occurrence (by timestamp when present, else by position).
    case keepLast
    /// Keep the latest occurrence with weight = the sum of the pair's weights (its count when
    /// the log had no weights).
    case countAsWeight
}

extension InteractionLog {
    /// Keeps interactions rated at least `minRating` (e.g. 4 for "liked"); users and items left
    /// without interactions are dropped from the vocabularies.
    public func filtered(minRating: Float) throws(DataError) -> InteractionLog {
        guard let ratings else {
            throw .invalidRequest("a minimum rating of \(minRating) was asked for, but the data has no rating column")
        }
        let keep = (0..<count).filter { ratings[$0] >= minRating }
        return subset(rows: keep).compacted()
    }

    /// One interaction per (user, item) pair, chosen by `policy`; the kept rows stay in log order.
    public func deduplicated(_ policy: DuplicatePolicy = .keepLast) -> InteractionLog {
        let (offsets, rows) = rowsByUser()
        var keep: [Int] = []
        keep.reserveCapacity(count)
        var newWeights: [Float] = []
        if policy == .countAsWeight { newWeights = [Float](repeating: 0, count: count) }
        var group: [Int32] = []
        for u in 0..<userCount {
            group.removeAll(keepingCapacity: true)
            group.append(contentsOf: rows[offsets[u] ..< offsets[u + 1]])
            // Sort the user's rows by (item, time, position).
            group.sort { a, b in
                let ia = items[Int(a)], ib = items[Int(b)]
                if ia != ib { return ia < ib }
                if let t = timestamps, t[Int(a)] != t[Int(b)] { return t[Int(a)] < t[Int(b)] }
                return a < b
            }
            var s = 0
            while s < group.count {
                var e = s + 1
                while e < group.count && items[Int(group[e])] == items[Int(group[s])] { e += 1 }
                let chosen = Int(policy == .keepFirst ? group[s] : group[e - 1])
                keep.append(chosen)
                if policy == .countAsWeight {
                    var w: Float = 0
                    for k in s..<e { w += weights?[Int(group[k])] ?? 1 }
                    newWeights[chosen] = w
                }
                s = e
            }
        }
        keep.sort()
        var out = subset(rows: keep)
        if policy == .countAsWeight { out.weights = keep.map { newWeights[$0] } }
        return out.recounted()
    }

    /// The k-core: repeatedly drops users with fewer than `userMinimum` interactions and items with
    /// fewer than `itemMinimum`, until every remaining user and item has enough. Vocabularies are
    /// compacted (order kept).
    public func kCore(userMinimum: Int, itemMinimum: Int) -> InteractionLog {
        var alive = [Bool](repeating: true, count: count)
        var userCounts = [Int](repeating: 0, count: userCount), itemCounts = [Int](repeating: 0, count: itemCount)
        for k in 0..<count { userCounts[Int(users[k])] += 1; itemCounts[Int(items[k])] += 1 }
        var changed = true
        while changed {
            changed = false
            for k in 0..<count where alive[k] {
                let u = Int(users[k]), i = Int(items[k])
                if userCounts[u] < userMinimum || itemCounts[i] < itemMinimum {
                    alive[k] = false
                    userCounts[u] -= 1; itemCounts[i] -= 1
                    changed = true
                }
            }
        }
        return subset(rows: (0..<count).filter { alive[$0] }).compacted()
    }
}
