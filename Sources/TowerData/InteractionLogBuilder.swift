/// Accumulates interactions while a reader runs: raw id bytes → dense rows through byte-keyed
/// tables (no String per line), values appended to preallocated arrays.
struct InteractionLogBuilder {
    let userTable: ByteKeyTable
    let itemTable: ByteKeyTable
    /// Test-file mode: ids must already be in the tables (given vocabularies); others are dropped.
    let frozen: Bool
    private let frozenUsers: Vocabulary?
    private let frozenItems: Vocabulary?
    var users: [Int32] = []
    var items: [Int32] = []
    var timestamps: [Int64]?
    var ratings: [Float]?
    var userFeatures: [FeatureBuilder] = []
    var itemFeatures: [FeatureBuilder] = []

    init(hasTimestamps: Bool, hasRatings: Bool, vocabularies: (user: Vocabulary, item: Vocabulary)? = nil) {
        if let v = vocabularies {
            userTable = ByteKeyTable(ids: v.user.ids)
            itemTable = ByteKeyTable(ids: v.item.ids)
            frozen = true
            frozenUsers = v.user; frozenItems = v.item
        } else {
            userTable = ByteKeyTable(capacity: 1 << 12)
            itemTable = ByteKeyTable(capacity: 1 << 12)
            frozen = false
            frozenUsers = nil; frozenItems = nil
        }
        timestamps = hasTimestamps ? [] : nil
        ratings = hasRatings ? [] : nil
    }

    mutating func reserve(_ n: Int) {
        users.reserveCapacity(n); items.reserveCapacity(n)
        timestamps?.reserveCapacity(n); ratings?.reserveCapacity(n)
    }

    /// The user row for the id bytes (inserting when new, unless frozen); nil when frozen and unknown.
    @inline(__always)
    mutating func userRow(_ p: UnsafePointer<UInt8>, _ n: Int) -> (row: Int32, isNew: Bool)? {
        if frozen { return userTable.find(p, n).map { ($0, false) } }
        return userTable.findOrInsert(p, n)
    }

    @inline(__always)
    mutating func itemRow(_ p: UnsafePointer<UInt8>, _ n: Int) -> (row: Int32, isNew: Bool)? {
        if frozen { return itemTable.find(p, n).map { ($0, false) } }
        return itemTable.findOrInsert(p, n)
    }

    @inline(__always)
    mutating func append(user: Int32, item: Int32) {
        users.append(user); items.append(item)
    }

    private static func compact<T>(_ a: [T]) -> [T] {
        a.capacity > a.count + a.count / 8 + 64 ? Array(a) : a
    }

    /// The finished log; vocabularies in order of first appearance with their counts.
    func finish(userName: String = "user", itemName: String = "item") -> InteractionLog {
        let userVocabulary: Vocabulary, itemVocabulary: Vocabulary
        if frozen {
            userVocabulary = frozenUsers!
            itemVocabulary = frozenItems!
        } else {
            userVocabulary = Vocabulary(name: userName, ids: (0..<userTable.count).map { userTable.string($0) })
            itemVocabulary = Vocabulary(name: itemName, ids: (0..<itemTable.count).map { itemTable.string($0) })
        }
        let log = InteractionLog(
            users: Self.compact(users), items: Self.compact(items),
            timestamps: timestamps.map(Self.compact), ratings: ratings.map(Self.compact),
            userVocabulary: userVocabulary, itemVocabulary: itemVocabulary,
            userFeatures: frozen ? [] : userFeatures.map { $0.finish(rows: userTable.count) },
            itemFeatures: frozen ? [] : itemFeatures.map { $0.finish(rows: itemTable.count) })
        return frozen ? log : log.recounted()
    }
}

/// Builds one side feature's CSR table, row by row in the order users/items first appear.
struct FeatureBuilder {
    let spec: FeatureColumn
    /// Field index in the file's records (readers that use columns).
    var fieldIndex: Int
    let table = ByteKeyTable(capacity: 64)
    var offsets: [Int32] = [0]
    var values: [Int32] = []
    var counts: [Int] = []

    init(spec: FeatureColumn, fieldIndex: Int) {
        self.spec = spec; self.fieldIndex = fieldIndex
    }

    /// Appends the next row's value(s) parsed from a field (validated UTF-8; empty values skipped).
    mutating func addRow(_ p: UnsafePointer<UInt8>, _ n: Int) {
        switch spec.kind {
        case .categorical:
            addValue(p, n)
        case .multiValued(let separator):
            var s = 0
            for k in 0...n where k == n || p[k] == separator {
                addValue(p + s, k - s)
                s = k + 1
            }
        }
        offsets.append(Int32(values.count))
    }

    /// Appends a row without values.
    mutating func addEmptyRow() { offsets.append(Int32(values.count)) }

    private mutating func addValue(_ p0: UnsafePointer<UInt8>, _ n0: Int) {
        let (p, n) = FieldParsing.trimmed(p0, n0)
        if n == 0 { return }
        let (id, isNew) = table.findOrInsert(p, n)
        if isNew { counts.append(0) }
        counts[Int(id)] += 1
        values.append(id)
    }

    func finish(rows: Int) -> FeatureTable {
        var o = offsets
        while o.count < rows + 1 { o.append(Int32(values.count)) }
        let vocabulary = Vocabulary(name: spec.name, ids: (0..<table.count).map { table.string($0) }, counts: counts)
        return FeatureTable(name: spec.name, target: spec.target, kind: spec.kind, vocabulary: vocabulary,
                            offsets: o, values: values)
    }
}
