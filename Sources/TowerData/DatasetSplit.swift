import TowerCore

/// How to hold out interactions for evaluation. Every strategy is deterministic for a seed.
public enum SplitStrategy: Sendable, Equatable {
    /// Per user, the latest interaction (by timestamp; ties: the later row) is the test item,
    /// and with `validation` the one before it is the validation item. Users with too few
    /// interactions (< 2, or < 3 with validation) stay entirely in train. Needs timestamps.
    case leaveLastOut(validation: Bool)
    /// Per user, one interaction chosen uniformly at random (seeded) is the test item (and
    /// another the validation item); same minimum counts as ``leaveLastOut(validation:)``.
    case leaveOneOut(validation: Bool)
    /// Per user, the interactions are shuffled (seeded); the first `round(train · n)` (at least
    /// one) are train, the next `round(validation · n)` validation, the rest test.
    case ratio(train: Double, validation: Double)
    /// Interactions before `cutoff` are train, the others test (with `validationCutoff`:
    /// `[validationCutoff, cutoff)` is validation). Needs timestamps.
    case timeCutoff(cutoff: Int64, validationCutoff: Int64?)

    /// Parses the CLI spelling: `leave-last-out`, `leave-one-out`, `ratio:0.8`, `ratio:0.8:0.1`,
    /// `time:<unix-seconds>`; a `+validation` suffix adds a validation set to the leave-out splits.
    public init(parsing text: String) throws(DataError) {
        let lower = text.lowercased()
        let validation = lower.hasSuffix("+validation")
        let base = validation ? String(lower.dropLast("+validation".count)) : lower
        let parts = base.split(separator: ":").map(String.init)
        switch parts.first {
        case "leave-last-out" where parts.count == 1: self = .leaveLastOut(validation: validation)
        case "leave-one-out" where parts.count == 1: self = .leaveOneOut(validation: validation)
        case "ratio" where parts.count == 2 || parts.count == 3:
            let (t, v) = try Self.ratioFractions(text, parts)
            self = .ratio(train: t, validation: v)
        case "time" where parts.count == 2 || parts.count == 3:
            let (c, v) = try Self.timeCutoffs(text, parts)
            self = .timeCutoff(cutoff: c, validationCutoff: v)
        default:
            throw .invalidRequest("split \"\(text)\": expected leave-last-out, leave-one-out, ratio:<train>[:<validation>] or time:<cutoff>[:<validation cutoff>]")
        }
    }
}

/// Train, test and optional validation interactions sharing the vocabularies of the full log,
/// with per-user item lists for evaluation.
public struct DatasetSplit: Sendable {
    public var train: InteractionLog
    public var test: InteractionLog
    public var validation: InteractionLog?
    /// Sorted training items of every user (to exclude when ranking), `users` lists.
    public var trainItemsByUser: UserItemLists
    /// Sorted held-out test items of every user (empty for users without test items).
    public var testItemsByUser: UserItemLists
    /// Sorted held-out validation items of every user, when there is a validation set.
    public var validationItemsByUser: UserItemLists?
    /// Test rows dropped because their user was not in the training vocabulary (given test file).
    public var unknownTestUsers = 0
    /// Test rows dropped because their item was not in the training vocabulary (given test file).
    public var unknownTestItems = 0

    /// Interactions per item row in the training set (for logQ / popularity tables).
    public var trainItemCounts: [Int] { train.rowCounts().items }

    /// The whole training part the split was asked for: ``train`` plus the ``validation`` carved
    /// from it for early stopping. What the test part is evaluated against — its items are
    /// excluded when ranking, and it is what a refit trains on — so a validation set never
    /// turns a user's known items into candidates.
    public var trainingPart: InteractionLog { validation.map(train.appending) ?? train }
    /// Sorted items of every user in ``trainingPart`` (to exclude when ranking the test part).
    public var trainingPartItemsByUser: UserItemLists { validation == nil ? trainItemsByUser : UserItemLists(trainingPart) }
    /// Interactions per item row in ``trainingPart`` (the popularity baseline of the test part).
    public var trainingPartItemCounts: [Int] { validation == nil ? trainItemCounts : trainingPart.rowCounts().items }

    /// A split from an explicit train log and a test log over the same vocabularies (a given
    /// test file read with the train vocabularies); `unknown*` come from its read report.
    public init(train: InteractionLog, test: InteractionLog, validation: InteractionLog? = nil,
                unknownTestUsers: Int = 0, unknownTestItems: Int = 0) {
        precondition(train.userCount == test.userCount && train.itemCount == test.itemCount,
                     "DatasetSplit: test has \(test.userCount) users × \(test.itemCount) items, train \(train.userCount) × \(train.itemCount): read the test file with the train vocabularies")
        self.train = train; self.test = test; self.validation = validation
        trainItemsByUser = UserItemLists(train)
        testItemsByUser = UserItemLists(test)
        validationItemsByUser = validation.map(UserItemLists.init)
        self.unknownTestUsers = unknownTestUsers; self.unknownTestItems = unknownTestItems
    }

    /// Splits `log` by `strategy`, random choices drawn from `Xoshiro256(seed:)`.
    public init(_ log: InteractionLog, strategy: SplitStrategy, seed: UInt64 = 0) throws(DataError) {
        var rng = Xoshiro256(seed: seed)
        var role = [UInt8](repeating: 0, count: log.count)   // 0 train, 1 test, 2 validation
        let (offsets, rows) = log.rowsByUser()
        switch strategy {
        case .leaveLastOut(let validation), .leaveOneOut(let validation):
            let byTime: Bool
            if case .leaveLastOut = strategy {
                guard log.timestamps != nil else {
                    throw .invalidRequest("leave-last-out needs timestamps, but the data has none (use leave-one-out or give a timestamp column)")
                }
                byTime = true
            } else { byTime = false }
            let minimum = validation ? 3 : 2
            var group: [Int32] = []
            for u in 0..<log.userCount where offsets[u + 1] - offsets[u] >= minimum {
                group.removeAll(keepingCapacity: true)
                group.append(contentsOf: rows[offsets[u] ..< offsets[u + 1]])
                if byTime {
                    let t = log.timestamps!
                    group.sort { t[Int($0)] != t[Int($1)] ? t[Int($0)] < t[Int($1)] : $0 < $1 }
                } else {
                    rng.shuffle(&group)
                }
                role[Int(group[group.count - 1])] = 1
                if validation { role[Int(group[group.count - 2])] = 2 }
            }
        case .ratio(let trainFraction, let validationFraction):
            guard trainFraction > 0, trainFraction <= 1, validationFraction >= 0, trainFraction + validationFraction <= 1 else {
                throw .invalidRequest("ratio split: expected a train fraction in (0, 1] and train + validation ≤ 1, found \(trainFraction) and \(validationFraction)")
            }
            var group: [Int32] = []
            for u in 0..<log.userCount {
                let n = offsets[u + 1] - offsets[u]
                if n == 0 { continue }
                group.removeAll(keepingCapacity: true)
                group.append(contentsOf: rows[offsets[u] ..< offsets[u + 1]])
                rng.shuffle(&group)
                let nTrain = max(1, Int((trainFraction * Double(n)).rounded()))
                let nValidation = min(n - nTrain, Int((validationFraction * Double(n)).rounded()))
                for k in nTrain..<n { role[Int(group[k])] = k < nTrain + nValidation ? 2 : 1 }
            }
        case .timeCutoff(let cutoff, let validationCutoff):
            guard let t = log.timestamps else {
                throw .invalidRequest("a time-cutoff split needs timestamps, but the data has none (for a CSV with a time column, give --timestamp-column NAME)")
            }
            for k in 0..<log.count {
                if t[k] >= cutoff { role[k] = 1 } else if let v = validationCutoff, t[k] >= v { role[k] = 2 }
            }
        }
        var trainRows: [Int] = [], testRows: [Int] = [], validationRows: [Int] = []
        for k in 0..<log.count {
            switch role[k] {
            case 0: trainRows.append(k)
            case 1: testRows.append(k)
            default: validationRows.append(k)
            }
        }
        let hasValidation: Bool
        switch strategy {
        case .leaveLastOut(let v), .leaveOneOut(let v): hasValidation = v
        case .ratio(_, let v): hasValidation = v > 0
        case .timeCutoff(_, let v): hasValidation = v != nil
        }
        self.init(train: log.subset(rows: trainRows), test: log.subset(rows: testRows),
                  validation: hasValidation ? log.subset(rows: validationRows) : nil)
    }
}
