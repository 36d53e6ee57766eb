/// A group of `size` processes (ranks) that run the same program and exchange buffers through
/// collective operations, as in MPI (MPI-4.0 standard, chapter 6) and Horovod.
///
/// Every rank must call the same collectives in the same order with compatible arguments; a
/// collective returns only when the whole group has entered it. Implementations are not safe
/// to call from several threads at once: the training step calls them from one thread.
///
/// Results are deterministic and independent of the transport's algorithm: sums are formed on
/// the receiving rank in rank order (rank 0's block first), so an all-reduce gives bit-identical
/// results on every rank and from one run to the next.
public protocol Communicator: AnyObject, Sendable {
    /// This process's index in the group, `0..<size`.
    var rank: Int { get }
    /// The number of processes in the group (≥ 1).
    var size: Int { get }

    /// Concatenates every rank's `local` (all of the same length n) in rank order: the result has
    /// `size * n` elements and rank r's block is `r*n ..< (r+1)*n`. `MPI_Allgather`.
    /// - Throws: ``CommunicatorError/mismatchedLengths(operation:lengths:)`` when ranks pass
    ///   different lengths.
    func allGather<T: CommunicatorElement>(_ local: [T]) throws(CommunicatorError) -> [T]

    /// Concatenates every rank's `local` (lengths may differ) in rank order and returns the
    /// lengths too. `MPI_Allgatherv`, with the lengths exchanged first.
    func allGatherV<T: CommunicatorElement>(_ local: [T]) throws(CommunicatorError) -> (values: [T], counts: [Int])

    /// Sums `values` element-wise over all ranks and returns to rank r only its block: elements
    /// `counts[0..<r].sum() ..< counts[0...r].sum()` of the sum. `counts` (one per rank, equal on
    /// every rank) must add up to `values.count`. `MPI_Reduce_scatter` semantics, summed in rank
    /// order.
    func reduceScatterSum<T: CommunicatorElement>(_ values: [T], counts: [Int]) throws(CommunicatorError) -> [T]

    /// Returns rank `root`'s `values` on every rank (other ranks' `values` are ignored but their
    /// length must match the root's). `MPI_Bcast`.
    func broadcast<T: CommunicatorElement>(_ values: [T], root: Int) throws(CommunicatorError) -> [T]

    /// Returns when every rank has called it. `MPI_Barrier`.
    func barrier() throws(CommunicatorError)

    /// Ends the whole job with `code` (`MPI_Abort`): for a rank that cannot go on while the others
    /// would wait for it in a collective. Alone, exits the process.
    func abort(code: Int32) -> Never
}

extension Communicator {
    /// Element-wise sum of every rank's `values` (equal lengths), bit-identical on every rank:
    /// an all-gather followed by a sum in rank order. Costs `size × values.count` elements of
    /// memory and traffic, which suits the small dense buffers (losses, metrics, MLP gradients) it
    /// is used for.
    public func allReduceSum<T: CommunicatorElement>(_ values: [T]) throws(CommunicatorError) -> [T] {
        if size == 1 { return values }
        let gathered = try allGather(values)
        return RankOrder.sumBlocks(gathered, blockLength: values.count, blocks: size)
    }

    /// The rows of a global batch of `count` rows that rank `rank` of `size` trains on: the batch
    /// is cut into `size` contiguous slices whose lengths differ by at most one (the first
    /// `count % size` slices hold one more row).
    public static func slice(of count: Int, rank: Int, size: Int) -> Range<Int> {
        precondition(size >= 1 && rank >= 0 && rank < size && count >= 0)
        let base = count / size, extra = count % size
        let start = rank * base + min(rank, extra)
        return start ..< start + base + (rank < extra ? 1 : 0)
    }

    /// This rank's slice of a global batch of `count` rows (see ``slice(of:rank:size:)``).
    public func slice(of count: Int) -> Range<Int> {
        Self.slice(of: count, rank: rank, size: size)
    }

    /// The lengths of every rank's slice of `count` rows, in rank order.
    public func sliceCounts(of count: Int) -> [Int] {
        (0..<size).map { Self.slice(of: count, rank: $0, size: size).count }
    }
}

/// Sums formed in rank order, the same on every rank.
enum RankOrder {
    /// Sums `blocks` consecutive blocks of `blockLength` elements, block 0 first.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func sumBlocks<T: CommunicatorElement>(_ buffer: [T], blockLength: Int, blocks: Int) -> [T] {
        var sum = Array(buffer[0..<blockLength])
        sum.withUnsafeMutableBufferPointer { out in
            buffer.withUnsafeBufferPointer { all in
                for b in 1..<max(blocks, 1) {
                    let base = b * blockLength
                    for i in 0..<blockLength { out[i] += all[base + i] }
                }
            }
        }
        return sum
    }
}

/// Checks shared by the implementations, so a bad call fails the same way with or without MPI.
enum CollectiveChecks {
    static func reduceScatter(counts: [Int], valueCount: Int, size: Int) throws(CommunicatorError) {
        guard counts.count == size else {
            throw .invalidArguments(operation: "reduce-scatter", detail: "expected one count per rank (\(size)), got \(counts.count)")
        }
        guard counts.allSatisfy({ $0 >= 0 }) else {
            throw .invalidArguments(operation: "reduce-scatter", detail: "counts must not be negative, got \(counts)")
        }
        let total = counts.reduce(0, +)
        guard total == valueCount else {
            throw .invalidArguments(operation: "reduce-scatter", detail: "counts add up to \(total) but the buffer holds \(valueCount) elements")
        }
    }

    static func root(_ root: Int, size: Int) throws(CommunicatorError) {
        guard root >= 0 && root < size else {
            throw .invalidArguments(operation: "broadcast", detail: "root \(root) is not a rank of a group of \(size)")
        }
    }
}
