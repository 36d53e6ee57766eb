import TowerCore

/// One batch: rows of the log and their users, items and weights, in buffers owned by the
/// ``BatchIterator`` — valid until its next call to ``BatchIterator/next()``.
public struct Batch {
    /// Row indices into the log, `[count]`.
    public let rows: UnsafeBufferPointer<Int32>
    /// User rows, `[count]`.
    public let users: UnsafeBufferPointer<Int32>
    /// Item rows, `[count]`.
    public let items: UnsafeBufferPointer<Int32>
    /// Sample weights, `[count]` (all 1 when the log has none).
    public let weights: UnsafeBufferPointer<Float>
    /// Number of examples (the batch size, or fewer for a last partial batch).
    public var count: Int { rows.count }
}

/// Hands out the interactions of a log in batches of a fixed size, shuffled every epoch from a
/// seed: epoch `e` uses the permutation drawn by `Xoshiro256(seed: seed ⊕ e·golden)` (Fisher–Yates),
/// so an epoch's order depends only on the seed and its number. Every row appears exactly once
/// per epoch (minus the remainder with `dropLast`). Nothing is allocated per batch.
public final class BatchIterator {
    public let batchSize: Int
    public let dropLast: Bool
    public let seed: UInt64
    /// The epoch being iterated (starts at 0; ``startEpoch(_:)`` sets it).
    public private(set) var epoch = 0
    private let count: Int
    private let userSource: [Int32]
    private let itemSource: [Int32]
    private let weightSource: [Float]?
    private let order: UnsafeMutablePointer<Int32>
    private let userBuffer: UnsafeMutablePointer<Int32>
    private let itemBuffer: UnsafeMutablePointer<Int32>
    private let weightBuffer: UnsafeMutablePointer<Float>
    private var position = 0

    /// Batches over `log` (its users, items and weights are copied once).
    public init(log: InteractionLog, batchSize: Int, dropLast: Bool = false, seed: UInt64) {
        precondition(batchSize > 0, "BatchIterator: batch size \(batchSize) must be positive")
        self.batchSize = batchSize
        self.dropLast = dropLast
        self.seed = seed
        count = log.count
        userSource = log.users
        itemSource = log.items
        weightSource = log.weights
        order = .allocate(capacity: max(count, 1))
        // A batch never holds more than the log's rows: a batch size beyond them (even Int.max)
        // makes every step take the whole (shuffled) log, and allocates only what the log needs.
        let capacity = max(1, min(batchSize, count))
        userBuffer = .allocate(capacity: capacity)
        itemBuffer = .allocate(capacity: capacity)
        weightBuffer = .allocate(capacity: capacity)
        weightBuffer.initialize(repeating: 1, count: capacity)
        startEpoch(0)
    }

    deinit {
        order.deallocate(); userBuffer.deallocate(); itemBuffer.deallocate(); weightBuffer.deallocate()
    }

    /// Batches per epoch.
    public var batchesPerEpoch: Int {
        dropLast ? count / batchSize : (count == 0 ? 0 : (count - 1) / batchSize + 1)  // no overflow at Int.max
    }

    /// The row order of the current epoch, `[count]`.
    public var epochOrder: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: order, count: count) }

    /// Starts epoch `epoch`: reshuffles the rows and rewinds.
    public func startEpoch(_ epoch: Int) {
        self.epoch = epoch
        position = 0
        for k in 0..<count { order[k] = Int32(k) }
        var rng = Xoshiro256(seed: seed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15))
        var i = count - 1
        while i > 0 {
            let j = rng.nextIndex(below: i + 1)
            let t = order[i]; order[i] = order[j]; order[j] = t
            i -= 1
        }
    }

    /// The next batch of the epoch, or nil when the epoch is over (call ``startEpoch(_:)`` for the next).
    public func next() -> Batch? {
        let remaining = count - position
        let n = min(batchSize, remaining)
        if n == 0 || (dropLast && n < batchSize) { return nil }
        let rows = order + position
        userSource.withUnsafeBufferPointer { us in
            itemSource.withUnsafeBufferPointer { its in
                for k in 0..<n {
                    let r = Int(rows[k])
                    userBuffer[k] = us[r]
                    itemBuffer[k] = its[r]
                }
            }
        }
        if let w = weightSource {
            w.withUnsafeBufferPointer { ws in for k in 0..<n { weightBuffer[k] = ws[Int(rows[k])] } }
        }
        position += n
        return Batch(rows: UnsafeBufferPointer(start: rows, count: n),
                     users: UnsafeBufferPointer(start: userBuffer, count: n),
                     items: UnsafeBufferPointer(start: itemBuffer, count: n),
                     weights: UnsafeBufferPointer(start: weightBuffer, count: n))
    }
}
