import Dispatch

/// Runs `body(chunk)` once for every `chunk` in `0..<chunks`, spread over at most `threads`
/// threads, and returns when all chunks are done.
///
/// Chunks are dealt out statically: with `workers = min(threads, chunks)`, worker `w` runs
/// chunks `w, w + workers, w + 2·workers, …` in that order. When `workers <= 1` every chunk runs
/// inline on the calling thread, in order (no dispatch, no allocation), so callers can pass
/// `threads: 1` for small problems at no cost. Two workers use the calling thread and one
/// persistent helper thread (no allocation per call); when that helper is busy (a concurrent or
/// nested call) and for more than two workers, threads come from `DispatchQueue.concurrentPerform`.
///
/// `body` runs concurrently for distinct chunks. It need not be `@Sendable`: the caller
/// guarantees that concurrent calls only write memory owned by their own chunk (typically a
/// block of rows of an output matrix; see ``chunkRange(count:chunks:chunk:alignment:)``).
///
/// ```swift
/// parallelFor(chunks: 2, threads: 2) { part in
///     let rows = chunkRange(count: m, chunks: 2, chunk: part)
///     // … work on rows …
/// }
/// ```
public func parallelFor(chunks: Int, threads: Int, _ body: (Int) -> Void) {
    precondition(chunks >= 0, "parallelFor: chunks is \(chunks), expected >= 0")
    let workers = min(max(threads, 1), chunks)
    if workers <= 1 {
        for chunk in 0..<chunks { body(chunk) }
        return
    }
    if workers == 2 {
        let ran = ParallelWorker.shared.tryRun { worker in
            var chunk = worker
            while chunk < chunks {
                body(chunk)
                chunk += 2
            }
        }
        if ran { return }
    }
    withoutActuallyEscaping(body) { escapable in
        nonisolated(unsafe) let work = escapable
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var chunk = worker
            while chunk < chunks {
                work(chunk)
                chunk += workers
            }
        }
    }
}

/// The `chunk`-th of `chunks` nearly equal consecutive parts of `0..<count`.
///
/// Part boundaries are multiples of `alignment` (except the final end, `count`), so e.g. row
/// blocks can start on register-tile boundaries; trailing parts may be empty when `count` is
/// small. The parts are disjoint and together cover `0..<count`.
public func chunkRange(count: Int, chunks: Int, chunk: Int, alignment: Int = 1) -> Range<Int> {
    precondition(count >= 0 && chunks > 0 && alignment > 0 && chunk >= 0 && chunk < chunks,
                 "chunkRange: count \(count), chunks \(chunks), chunk \(chunk), alignment \(alignment)")
    let units = (count + alignment - 1) / alignment
    let perChunk = units / chunks
    let extra = units % chunks
    let startUnit = chunk * perChunk + min(chunk, extra)
    let endUnit = startUnit + perChunk + (chunk < extra ? 1 : 0)
    return min(startUnit * alignment, count) ..< min(endUnit * alignment, count)
}
