import Dispatch
import Testing
import TowerCore

@Suite struct ParallelTests {
    @Test func chunkRangesAreDisjointAlignedAndCoverAll() {
        for count in [0, 1, 5, 6, 7, 100, 1023] {
            for chunks in [1, 2, 3, 8] {
                var next = 0
                for chunk in 0..<chunks {
                    let range = chunkRange(count: count, chunks: chunks, chunk: chunk, alignment: 6)
                    #expect(range.lowerBound == next)
                    #expect(range.lowerBound % 6 == 0 || range.isEmpty)
                    next = range.upperBound
                }
                #expect(next == count)
            }
        }
    }

    @Test(arguments: [1, 2, 4])
    func parallelForRunsEveryChunkOnce(_ threads: Int) {
        var hits = [Int](repeating: 0, count: 37)
        hits.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            parallelFor(chunks: 37, threads: threads) { chunk in base[chunk] += chunk + 1 }
        }
        #expect(hits == (0..<37).map { $0 + 1 })
    }

    /// Many threads calling at once, each with nested calls inside its chunks: the persistent
    /// worker serves one call at a time and the others fall back to Dispatch; every chunk of
    /// every call still runs exactly once, and nothing waits forever.
    @Test func concurrentAndNestedCallsEachRunEveryChunkOnce() {
        let callers = 8, chunks = 13, inner = 5
        var hits = [Int](repeating: 0, count: callers * chunks * inner)
        hits.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let base = buffer.baseAddress!
            for _ in 0..<20 {
                DispatchQueue.concurrentPerform(iterations: callers) { caller in
                    parallelFor(chunks: chunks, threads: 2) { chunk in
                        parallelFor(chunks: inner, threads: 2) { k in
                            base[(caller * chunks + chunk) * inner + k] += 1
                        }
                    }
                }
            }
        }
        #expect(hits.allSatisfy { $0 == 20 })
    }

    /// Back-to-back two-thread calls reuse the same worker (thousands of hand-offs).
    @Test func manySmallCallsInARow() {
        var total = [Int](repeating: 0, count: 2)
        total.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            for _ in 0..<5_000 { parallelFor(chunks: 2, threads: 2) { chunk in base[chunk] += 1 } }
        }
        #expect(total == [5_000, 5_000])
    }
}
