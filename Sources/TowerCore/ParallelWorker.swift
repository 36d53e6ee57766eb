#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One persistent helper thread that runs the second half of ``parallelFor(chunks:threads:_:)``'s
/// work, so that a two-thread call in a training step costs two condition-variable signals and
/// no allocation (`DispatchQueue.concurrentPerform` allocates a few blocks per call).
///
/// The worker serves one caller at a time. A caller that finds it busy — another thread's call,
/// or a nested call from inside a chunk — is told so by ``tryRun(workers:_:)`` and falls back to
/// Dispatch, so concurrent and nested callers never wait on each other.
final class ParallelWorker: @unchecked Sendable {
    /// The process-wide worker, started on first use.
    static let shared = ParallelWorker()

    // Allocated once, never moved (pthread objects must keep their address).
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let finished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `mutex`.
    private var owned = false
    private var generation = 0
    private var pending = false
    private var job: ((Int) -> Void)?
    private var jobWorker = 0

    private init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wake, nil)
        pthread_cond_init(finished, nil)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        #if canImport(Darwin)
        let started = pthread_create(&thread, nil, { raw in
            Unmanaged<ParallelWorker>.fromOpaque(raw).takeUnretainedValue().loop()
        }, context)
        #else
        let started = pthread_create(&thread, nil, { raw in
            Unmanaged<ParallelWorker>.fromOpaque(raw!).takeUnretainedValue().loop()
        }, context)
        #endif
        precondition(started == 0, "ParallelWorker: pthread_create failed (\(started))")
        pthread_detach(thread)
    }

    /// Runs `body(0)` on the calling thread and `body(1)` on the worker, and returns when both are
    /// done — or returns `false` at once, running nothing, when the worker is serving another call.
    func tryRun(_ body: (Int) -> Void) -> Bool {
        pthread_mutex_lock(mutex)
        if owned {
            pthread_mutex_unlock(mutex)
            return false
        }
        owned = true
        pthread_mutex_unlock(mutex)
        withoutActuallyEscaping(body) { escapable in
            pthread_mutex_lock(mutex)
            job = escapable
            jobWorker = 1
            pending = true
            generation &+= 1
            pthread_cond_signal(wake)
            pthread_mutex_unlock(mutex)

            escapable(0)

            pthread_mutex_lock(mutex)
            while pending { pthread_cond_wait(finished, mutex) }
            job = nil  // the closure must not outlive this scope
            pthread_mutex_unlock(mutex)
        }
        pthread_mutex_lock(mutex)
        owned = false
        pthread_mutex_unlock(mutex)
        return true
    }

    private func loop() -> Never {
        var seen = 0
        while true {
            pthread_mutex_lock(mutex)
            while generation == seen { pthread_cond_wait(wake, mutex) }
            seen = generation
            var body = job
            let worker = jobWorker
            pthread_mutex_unlock(mutex)
            body?(worker)
            body = nil  // drop the reference before the caller leaves `withoutActuallyEscaping`
            pthread_mutex_lock(mutex)
            pending = false
            pthread_cond_signal(finished)
            pthread_mutex_unlock(mutex)
        }
    }
}
