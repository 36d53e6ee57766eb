/// Per-user sorted, distinct item rows (CSR): the items of user `u` are
/// `items[offsets[u] ..< offsets[u + 1]]`, ascending. Used to exclude training items when ranking
/// and as the held-out (relevant) items of each user.
public struct UserItemLists: Sendable, Equatable {
    /// `[users + 1]` offsets into ``items``.
    public var offsets: [Int]
    /// Item rows, ascending within each user.
    public var items: [Int32]

    /// The lists of `log`'s interactions (duplicates collapsed), one per user row.
    public init(_ log: InteractionLog) {
        let (userOffsets, rows) = log.rowsByUser()
        var offsets = [0], items: [Int32] = []
        offsets.reserveCapacity(log.userCount + 1)
        items.reserveCapacity(log.count)
        var scratch: [Int32] = []
        for u in 0..<log.userCount {
            scratch.removeAll(keepingCapacity: true)
            for k in userOffsets[u] ..< userOffsets[u + 1] { scratch.append(log.items[Int(rows[k])]) }
            scratch.sort()
            var last: Int32 = -1
            for i in scratch where i != last { items.append(i); last = i }
            offsets.append(items.count)
        }
        self.offsets = offsets
        self.items = items
    }

    /// Number of users (rows).
    public var users: Int { offsets.count - 1 }

    /// The sorted items of `user`.
    public func items(of user: Int) -> ArraySlice<Int32> { items[offsets[user] ..< offsets[user + 1]] }

    /// How many items `user` has.
    public func count(of user: Int) -> Int { offsets[user + 1] - offsets[user] }

    /// Users with at least one item, ascending.
    public var nonEmptyUsers: [Int32] { (0..<users).filter { count(of: $0) > 0 }.map { Int32($0) } }

    /// True when `user` has `item` (binary search).
    public func contains(user: Int, item: Int32) -> Bool {
        var lo = offsets[user], hi = offsets[user + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if items[mid] < item { lo = mid + 1 } else if items[mid] > item { hi = mid } else { return true }
        }
        return false
    }
}
