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
}
