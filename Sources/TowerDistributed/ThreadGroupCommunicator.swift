import Foundation

/// A group of `size` ranks that are threads of one process, exchanging buffers through shared
/// memory: the same collectives and checks as ``MPICommunicator``, without MPI. Tests use it to
/// run N-rank training in-process; it also lets a machine without MPI exercise the distributed
/// code path.
///
/// Every collective is a rendezvous: each rank deposits its buffer, the last to arrive wakes the
/// others, every rank reads all buffers, and the round closes when all have read. Sums are formed
/// by the reading rank in rank order, as ``Communicator`` requires.
public final class ThreadGroupCommunicator: Communicator, @unchecked Sendable {
    // @unchecked: all shared state lives in `Rendezvous`, guarded by its condition's lock.
    public let rank: Int
    public let size: Int
    private let rendezvous: Rendezvous

    /// The `size` members of a new group; give member r to the thread that plays rank r.
    /// - Precondition: `size ≥ 1`.
    public static func makeGroup(size: Int) -> [ThreadGroupCommunicator] {
        precondition(size >= 1, "ThreadGroupCommunicator: a group needs at least one rank, got \(size)")
        let shared = Rendezvous(size: size)
        return (0..<size).map { ThreadGroupCommunicator(rank: $0, size: size, rendezvous: shared) }
    }

    private init(rank: Int, size: Int, rendezvous: Rendezvous) {
        self.rank = rank
        self.size = size
        self.rendezvous = rendezvous
    }

    /// Every rank's buffer, in rank order.
    private func exchange<T: CommunicatorElement>(_ local: [T]) -> [[T]] {
        rendezvous.exchange(local as any Sendable, rank: rank).map { $0 as! [T] }
    }

    public func allGather<T: CommunicatorElement>(_ local: [T]) throws(CommunicatorError) -> [T] {
        let all = exchange(local)
        let lengths = all.map(\.count)
        guard lengths.allSatisfy({ $0 == local.count }) else {
            throw .mismatchedLengths(operation: "all-gather", lengths: lengths)
        }
        return Array(all.joined())
    }

    public func allGatherV<T: CommunicatorElement>(_ local: [T]) throws(CommunicatorError) -> (values: [T], counts: [Int]) {
        let all = exchange(local)
        return (Array(all.joined()), all.map(\.count))
    }

    public func reduceScatterSum<T: CommunicatorElement>(_ values: [T], counts: [Int]) throws(CommunicatorError) -> [T] {
        let all = exchange(values)
        // Every rank checks every rank's length, so a bad call fails everywhere instead of hanging.
        for buffer in all { try CollectiveChecks.reduceScatter(counts: counts, valueCount: buffer.count, size: size) }
        let start = counts[0..<rank].reduce(0, +), length = counts[rank]
        var block = Array(all[0][start ..< start + length])
        for r in 1..<size {
            all[r].withUnsafeBufferPointer { source in
                for i in 0..<length { block[i] += source[start + i] }
            }
        }
        return block
    }

    public func broadcast<T: CommunicatorElement>(_ values: [T], root: Int) throws(CommunicatorError) -> [T] {
        try CollectiveChecks.root(root, size: size)
        let all = exchange(values)
        let lengths = all.map(\.count)
        guard lengths.allSatisfy({ $0 == all[root].count }) else {
            throw .mismatchedLengths(operation: "broadcast", lengths: lengths)
        }
        return all[root]
    }

    public func barrier() throws(CommunicatorError) {
        _ = exchange([UInt8]())
    }

    /// Exits the process: every rank is a thread of it.
    public func abort(code: Int32) -> Never { exit(code) }
}

/// The shared state of a ``ThreadGroupCommunicator`` group: one round of deposits at a time.
private final class Rendezvous: @unchecked Sendable {
    // @unchecked: every field is read and written with `condition` locked.
    let size: Int
    private let condition = NSCondition()
    private var slots: [(any Sendable)?]
    private var arrived = 0
    private var read = 0
    /// `true` from the last deposit of a round until its last read.
    private var draining = false

    init(size: Int) {
        self.size = size
        slots = Array(repeating: nil, count: size)
    }

    func exchange(_ value: any Sendable, rank: Int) -> [any Sendable] {
        condition.lock()
        defer { condition.unlock() }
        while draining { condition.wait() }  // the previous round is still being read
        slots[rank] = value
        arrived += 1
        if arrived == size {
            draining = true
            condition.broadcast()
        } else {
            while !draining { condition.wait() }
        }
        let all = slots.map { $0! }
        read += 1
        if read == size {
            arrived = 0
            read = 0
            slots = Array(repeating: nil, count: size)
            draining = false
            condition.broadcast()
        }
        return all
    }
}
