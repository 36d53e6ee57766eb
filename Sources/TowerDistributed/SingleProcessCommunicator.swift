import Foundation

/// The group of one process: every collective returns its input (checked as MPI would check it).
/// Used when TwoTower is not started by `mpirun`, and in tests.
public final class SingleProcessCommunicator: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }

    public func allGather<T: CommunicatorElement>(_ local: [T]) throws(CommunicatorError) -> [T] { local }

    public func allGatherV<T: CommunicatorElement>(_ local: [T]) throws(CommunicatorError) -> (values: [T], counts: [Int]) {
        (local, [local.count])
    }

    public func reduceScatterSum<T: CommunicatorElement>(_ values: [T], counts: [Int]) throws(CommunicatorError) -> [T] {
        try CollectiveChecks.reduceScatter(counts: counts, valueCount: values.count, size: 1)
        return values
    }

    public func broadcast<T: CommunicatorElement>(_ values: [T], root: Int) throws(CommunicatorError) -> [T] {
        try CollectiveChecks.root(root, size: 1)
        return values
    }

    public func barrier() throws(CommunicatorError) {}

    public func abort(code: Int32) -> Never { exit(code) }
}
