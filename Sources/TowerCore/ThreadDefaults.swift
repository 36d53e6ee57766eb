import Foundation

/// The thread count used when a caller does not choose one: every core the process may run on
/// (`ProcessInfo.activeProcessorCount`, which follows CPU affinity and cgroup limits), so a
/// 64-core server is not held to two. Each `--threads N` option lowers it.
public enum ThreadDefaults {
    /// Cores available to this process, at least 1.
    public static let cores = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
}
