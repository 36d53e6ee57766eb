import Synchronization

/// A request to stop training early, made from any thread (e.g. a SIGINT handler) and honoured by
/// ``Trainer/fit(_:observer:validate:stop:)`` between steps: the step under way finishes, the
/// epoch is not validated, the best validated epoch's parameters are restored (the last step's are
/// kept without validation) and `fit` returns a summary marked ``TrainingSummary/interrupted``.
///
/// `twotower train` makes the first Ctrl-C such a request (the run then evaluates and saves what
/// it has, and exits with status 130); see `InterruptHandler` in the CLI.
public final class StopRequest: Sendable {
    private struct State { var requested = false; var watchers = 0 }
    private let state = Mutex(State())

    public init() {}

    /// Asks the training loop to stop after its current step.
    /// - Returns: whether a `fit` was running and watching this request (`false`: nothing will
    ///   honour it now — a caller handling Ctrl-C may quit at once).
    @discardableResult
    public func request() -> Bool {
        state.withLock { s in
            s.requested = true
            return s.watchers > 0
        }
    }

    /// Whether a stop was requested.
    public var isRequested: Bool { state.withLock { $0.requested } }

    /// Whether a `fit` is running and checks the request between its steps.
    public var isWatched: Bool { state.withLock { $0.watchers > 0 } }

    /// Marks a `fit` running (from its start to its return).
    func beginWatching() { state.withLock { $0.watchers += 1 } }
    func endWatching() { state.withLock { $0.watchers -= 1 } }
}
