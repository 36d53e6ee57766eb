#if TOWER_MPI
import CMPI
#if canImport(Glibc)
import Glibc
#endif

/// `MPI_COMM_WORLD` of Open MPI (or any MPI-3 implementation), available when TwoTower is built
/// with the `MPI` package trait (`swift build --traits MPI`, needs `libopenmpi-dev`).
///
/// MPI is initialised once per process with `MPI_THREAD_SERIALIZED` (calls come from one thread
/// at a time) and finalised at exit; errors are returned (`MPI_ERRORS_RETURN`) and thrown as
/// ``CommunicatorError/mpi(operation:code:message:)`` instead of aborting the job. Counts are
/// checked against MPI's 32-bit limit. Sums are formed on the receiving rank in rank order (see
/// ``Communicator``), so results do not depend on which algorithm Open MPI picks.
public final class MPICommunicator: Communicator, @unchecked Sendable {
    // @unchecked: the communicator handle is immutable; MPI itself is used from one thread at a
    // time (MPI_THREAD_SERIALIZED), which the Communicator protocol requires of its callers.
    public let rank: Int
    public let size: Int
    private let comm: MPI_Comm

    /// The process's world communicator; the first call initialises MPI.
    public static func world() throws(CommunicatorError) -> MPICommunicator {
        try shared.get()
    }

    private static let shared: Result<MPICommunicator, CommunicatorError> = {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 {
            var provided: Int32 = 0
            let code = MPI_Init_thread(nil, nil, tt_mpi_thread_serialized(), &provided)
            if code != tt_mpi_success() { return .failure(.mpi(operation: "MPI_Init_thread", code: code, message: errorString(code))) }
            atexit {
                var finalized: Int32 = 0
                MPI_Finalized(&finalized)
                if finalized == 0 { MPI_Finalize() }
            }
        }
        guard let world = tt_mpi_comm_world() else {
            return .failure(.mpi(operation: "MPI_COMM_WORLD", code: -1, message: "the MPI library returned no world communicator"))
        }
        MPI_Comm_set_errhandler(world, tt_mpi_errors_return())
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(world, &rank)
        MPI_Comm_size(world, &size)
        return .success(MPICommunicator(comm: world, rank: Int(rank), size: Int(size)))
    }()

    private init(comm: MPI_Comm, rank: Int, size: Int) {
        self.comm = comm
        self.rank = rank
        self.size = size
    }

    /// Stops every rank of the job (`MPI_Abort`): for a rank that cannot go on while the others
    /// wait in a collective.
    public func abort(code: Int32) -> Never {
        MPI_Abort(comm, code)
        exit(code)
    }

    public func allGather<T: CommunicatorElement>(_ local: [T]) throws(CommunicatorError) -> [T] {
        let lengths = try gatherLengths(local.count, operation: "all-gather")
        guard lengths.allSatisfy({ $0 == local.count }) else {
            throw .mismatchedLengths(operation: "all-gather", lengths: lengths)
        }
        let count = try Self.int32(local.count, operation: "all-gather")
        _ = try Self.int32(local.count * size, operation: "all-gather")
        var result = [T](repeating: .zero, count: local.count * size)
        let type = Self.datatype(T.self)
        let code = local.withUnsafeBytes { send in
            result.withUnsafeMutableBytes { receive in
                MPI_Allgather(send.baseAddress, count, type, receive.baseAddress, count, type, comm)
            }
        }
        try check(code, "MPI_Allgather")
        return result
    }

    public func allGatherV<T: CommunicatorElement>(_ local: [T]) throws(CommunicatorError) -> (values: [T], counts: [Int]) {
        let counts = try gatherLengths(local.count, operation: "all-gather-v")
        let total = counts.reduce(0, +)
        _ = try Self.int32(total, operation: "all-gather-v")
        let receiveCounts = counts.map { Int32($0) }
        var displacements = [Int32](repeating: 0, count: size)
        for r in 1..<max(size, 1) { displacements[r] = displacements[r - 1] + receiveCounts[r - 1] }
        var result = [T](repeating: .zero, count: total)
        let type = Self.datatype(T.self)
        let sendCount = Int32(local.count)
        let code = local.withUnsafeBytes { send in
            result.withUnsafeMutableBytes { receive in
                MPI_Allgatherv(send.baseAddress, sendCount, type, receive.baseAddress, receiveCounts, displacements, type, comm)
            }
        }
        try check(code, "MPI_Allgatherv")
        return (result, counts)
    }

    public func reduceScatterSum<T: CommunicatorElement>(_ values: [T], counts: [Int]) throws(CommunicatorError) -> [T] {
        try CollectiveChecks.reduceScatter(counts: counts, valueCount: values.count, size: size)
        _ = try Self.int32(values.count, operation: "reduce-scatter")
        let mine = counts[rank]
        _ = try Self.int32(mine * size, operation: "reduce-scatter")
        // Each rank sends block r of its buffer to rank r (all-to-all-v), then sums the `size`
        // received blocks in rank order.
        let sendCounts = counts.map { Int32($0) }
        var sendDisplacements = [Int32](repeating: 0, count: size)
        for r in 1..<max(size, 1) { sendDisplacements[r] = sendDisplacements[r - 1] + sendCounts[r - 1] }
        let receiveCounts = [Int32](repeating: Int32(mine), count: size)
        let receiveDisplacements = (0..<size).map { Int32($0 * mine) }
        var received = [T](repeating: .zero, count: mine * size)
        let type = Self.datatype(T.self)
        let code = values.withUnsafeBytes { send in
            received.withUnsafeMutableBytes { receive in
                MPI_Alltoallv(send.baseAddress, sendCounts, sendDisplacements, type,
                              receive.baseAddress, receiveCounts, receiveDisplacements, type, comm)
            }
        }
        try check(code, "MPI_Alltoallv")
        return RankOrder.sumBlocks(received, blockLength: mine, blocks: size)
    }

    public func broadcast<T: CommunicatorElement>(_ values: [T], root: Int) throws(CommunicatorError) -> [T] {
        try CollectiveChecks.root(root, size: size)
        // The root's length first, so other ranks need not know it.
        var length = [Int64(values.count)]
        let lengthCode = length.withUnsafeMutableBytes { MPI_Bcast($0.baseAddress, 1, tt_mpi_int64(), Int32(root), comm) }
        try check(lengthCode, "MPI_Bcast")
        let count = try Self.int32(Int(length[0]), operation: "broadcast")
        var result = rank == root ? values : [T](repeating: .zero, count: Int(count))
        let type = Self.datatype(T.self)
        let code = result.withUnsafeMutableBytes { MPI_Bcast($0.baseAddress, count, type, Int32(root), comm) }
        try check(code, "MPI_Bcast")
        return result
    }

    public func barrier() throws(CommunicatorError) {
        try check(MPI_Barrier(comm), "MPI_Barrier")
    }

    // MARK: helpers

    private func gatherLengths(_ count: Int, operation: String) throws(CommunicatorError) -> [Int] {
        let local = [Int64(count)]
        var lengths = [Int64](repeating: 0, count: size)
        let code = local.withUnsafeBytes { send in
            lengths.withUnsafeMutableBytes { receive in
                MPI_Allgather(send.baseAddress, 1, tt_mpi_int64(), receive.baseAddress, 1, tt_mpi_int64(), comm)
            }
        }
        try check(code, "MPI_Allgather (\(operation) lengths)")
        return lengths.map { Int($0) }
    }

    private func check(_ code: Int32, _ operation: String) throws(CommunicatorError) {
        if code != tt_mpi_success() {
            throw .mpi(operation: operation, code: code, message: Self.errorString(code))
        }
    }

    private static func int32(_ count: Int, operation: String) throws(CommunicatorError) -> Int32 {
        guard count <= Int(Int32.max) else { throw .countTooLarge(operation: operation, count: count) }
        return Int32(count)
    }

    private static func datatype<T: CommunicatorElement>(_: T.Type) -> MPI_Datatype {
        switch T.communicatorKind {
        case .float32: return tt_mpi_float()
        case .float64: return tt_mpi_double()
        case .int32: return tt_mpi_int32()
        case .int64: return tt_mpi_int64()
        case .uint8: return tt_mpi_uint8()
        }
    }

    private static func errorString(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(tt_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(code, &buffer, &length)
        return String(decoding: buffer[0..<Int(max(0, length))].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
#endif
