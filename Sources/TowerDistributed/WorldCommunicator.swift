/// The communicator a process should use: MPI's world when TwoTower was built with the `MPI`
/// trait and started by `mpirun`, otherwise the single-process group.
public enum WorldCommunicator {
    /// The number of ranks `mpirun` (Open MPI, `OMPI_COMM_WORLD_SIZE`) or a PMI launcher
    /// (`PMI_SIZE`, `PMIX_SIZE`… as MPICH and Slurm set) started, or nil when not launched by one.
    public static func launchedRanks(environment: [String: String]) -> Int? {
        for key in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"] {
            if let value = environment[key], let ranks = Int(value), ranks >= 1 { return ranks }
        }
        return nil
    }

    /// Whether this build can talk MPI (the `MPI` package trait).
    public static var isMPIAvailable: Bool {
        #if TOWER_MPI
        return true
        #else
        return false
        #endif
    }

    /// The communicator for this process.
    /// - Throws: ``CommunicatorError/launchedWithoutMPI(ranks:)`` when started with several
    ///   ranks by a build without MPI (each rank would otherwise silently train alone), or an
    ///   MPI error from initialisation.
    public static func current(environment: [String: String]) throws(CommunicatorError) -> any Communicator {
        guard let ranks = launchedRanks(environment: environment) else { return SingleProcessCommunicator() }
        #if TOWER_MPI
        _ = ranks
        return try MPICommunicator.world()
        #else
        if ranks > 1 { throw .launchedWithoutMPI(ranks: ranks) }
        return SingleProcessCommunicator()
        #endif
    }
}
