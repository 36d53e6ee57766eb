import Dispatch
import Foundation
import TwoTower

/// Ctrl-C (SIGINT) during `twotower train`: the first one asks the trainer to stop after its
/// current step (``StopRequest``) — the run then keeps the best parameters so far, evaluates,
/// writes the model and metrics it was asked for and exits with status 130 (128 + SIGINT, the
/// shell convention); a second one, or one while no training loop is running (data loading,
/// evaluation, saving), clears the progress line and exits with 130 at once. A model directory
/// being saved is swapped in atomically, so quitting mid-save leaves the previous one or none.
///
/// Installed only in a single process: under `mpirun` the launcher forwards signals to the ranks
/// at different steps, and they must agree on where to stop (not done; SIGINT ends the job there).
final class InterruptHandler {
    /// The exit status of a run stopped by Ctrl-C.
    static let exitStatus: Int32 = 130

    private let source: DispatchSourceSignal

    /// Routes SIGINT to `stop` until this handler is released.
    init(stop: StopRequest) {
        signal(SIGINT, SIG_IGN)  // the dispatch source receives it instead of the default action
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "twotower.sigint"))
        let interrupts = Counter()
        source.setEventHandler {
            if interrupts.increment() == 1, stop.request() { return }  // the trainer reports it between steps
            let clear = isatty(2) != 0 ? "\r\u{1B}[K" : ""
            FileHandle.standardError.write(Data("\(clear)interrupted: quitting at once\n".utf8))
            _exit(InterruptHandler.exitStatus)
        }
        source.resume()
    }

    deinit {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }

    /// The number of SIGINTs seen (touched on the handler's serial queue only).
    private final class Counter: @unchecked Sendable {
        private var value = 0
        func increment() -> Int { value += 1; return value }
    }
}
