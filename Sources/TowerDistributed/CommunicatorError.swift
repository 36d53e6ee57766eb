/// Why a collective or the start of a distributed run failed.
public enum CommunicatorError: Error, Equatable, CustomStringConvertible {
    /// The arguments of a collective disagree with each other or with the communicator
    /// (e.g. `counts` of the wrong length, or whose sum is not the buffer's length).
    case invalidArguments(operation: String, detail: String)
    /// Ranks passed buffers of different lengths to a collective that needs equal lengths.
    case mismatchedLengths(operation: String, lengths: [Int])
    /// A count does not fit MPI's 32-bit `int` counts.
    case countTooLarge(operation: String, count: Int)
    /// An MPI call returned an error code (the run uses `MPI_ERRORS_RETURN`).
    case mpi(operation: String, code: Int32, message: String)
    /// The process was started by `mpirun` with several ranks but TwoTower was built without
    /// the `MPI` trait, so each rank would train alone on the whole data.
    case launchedWithoutMPI(ranks: Int)

    public var description: String {
        switch self {
        case let .invalidArguments(operation, detail):
            return "\(operation): \(detail)"
        case let .mismatchedLengths(operation, lengths):
            return "\(operation): ranks passed buffers of different lengths \(lengths); every rank must pass the same length"
        case let .countTooLarge(operation, count):
            return "\(operation): \(count) elements exceed MPI's 32-bit count limit (\(Int32.max)); send it in parts"
        case let .mpi(operation, code, message):
            return "\(operation) failed with MPI error \(code): \(message)"
        case let .launchedWithoutMPI(ranks):
            return "started by mpirun with \(ranks) ranks, but this build has no MPI support, so every rank would train alone; rebuild with `swift build -c release --traits MPI` (needs libopenmpi-dev)"
        }
    }
}
