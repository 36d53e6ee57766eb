import Testing
import TowerCore
import TowerTestSupport
@testable import TwoTower

/// `n × d` embeddings whose row r is `[base + r, base + r + 0.5, …]` — easy to recognise.
func labelledRows(_ n: Int, _ d: Int, base: Float) -> Matrix {
    Matrix(rows: n, columns: d, values: (0..<(n * d)).map { base + Float($0 / d) + Float($0 % d) * 0.5 })
}

@Suite struct SamplingTests {
    @Test func inBatchIsIdentityWithAndWithoutMetadata() throws {
        let emb = randomMatrix(rows: 10, columns: 4, seed: 1)
        let batch = try EmbeddingWithMetadata(embeddings: emb, metadata: ["item_id": Array(0..<10), "category": Array(repeating: 3, count: 10)])
        let sampler = InBatchSampler()
        #expect(sampler.maxNumSamples == nil)
        let out = try sampler(batch, training: true)
        #expect(out.embeddings == emb)
        #expect(out.metadata == batch.metadata)
        #expect(sampler.batchSize == 10 && sampler.maxNumSamples == 10)
        #expect(sampler.negativeGradientFlow == .batchItems)
        let bare = try InBatchSampler(batchSize: 5)(EmbeddingWithMetadata(embeddings: emb), training: true)
        #expect(bare.embeddings == emb && bare.metadata.isEmpty)
        // add then sample (Merlin's two-step protocol).
        try sampler.add(batch, training: false)
        #expect(try sampler.sample().embeddings == emb)
        sampler.setMaxNumSamples(3)
        #expect(sampler.maxNumSamples == 3 && sampler.batchSize == 10)
    }

    @Test func rowCountMismatchNamesBothCounts() {
        let emb = randomMatrix(rows: 10, columns: 4, seed: 2)
        #expect(throws: SamplerError.rowCountMismatch(embeddings: 10, feature: "item_id", metadata: 11)) {
            _ = try EmbeddingWithMetadata(embeddings: emb, metadata: ["item_id": Array(0..<11)])
        }
        let text = SamplerError.rowCountMismatch(embeddings: 10, feature: "item_id", metadata: 11).description
        #expect(text.contains("(10)") && text.contains("(11)") && text.hasPrefix("The batch size (first dim) of embedding"))
    }

    @Test func crossBatchSingleBatch() throws {
        let batch = try EmbeddingWithMetadata(embeddings: labelledRows(10, 3, base: 0), metadata: ["item_id": Array(0..<10)])
        let ignoring = CachedCrossBatchSampler(capacity: 20)
        #expect(ignoring.ignoreLastBatchOnSample && ignoring.maxNumSamples == 20)
        #expect(throws: SamplerError.notBuilt(sampler: "CachedCrossBatchSampler")) { _ = try ignoring.sample() }
        let first = try ignoring(batch, training: true)
        #expect(first.count == 0 && first.embeddings.columns == 3 && first.metadata["item_id"] == [])
        let keeping = CachedCrossBatchSampler(capacity: 20, ignoreLastBatchOnSample: false)
        let same = try keeping(batch, training: true)
        #expect(same.embeddings == batch.embeddings && same.metadata == batch.metadata)
        #expect(keeping.negativeGradientFlow == .none)
    }

    @Test(arguments: [true, false])
    func crossBatchThreeBatches(ignoreLast: Bool) throws {
        let sizes = [10, 10, 7]
        var all: [EmbeddingWithMetadata] = []
        var start = 0
        for n in sizes {
            all.append(try EmbeddingWithMetadata(embeddings: labelledRows(n, 2, base: Float(start)),
                                                 metadata: ["item_id": Array(start ..< start + n)]))
            start += n
        }
        let sampler = CachedCrossBatchSampler(capacity: 20, ignoreLastBatchOnSample: ignoreLast)
        var outs: [EmbeddingWithMetadata] = []
        for b in all { outs.append(try sampler(b, training: true)) }
        let counts = outs.map(\.count)
        #expect(counts == (ignoreLast ? [0, 10, 20] : [10, 20, 20]))
        // Oldest first; with ignoreLast the 3rd output is the first 20 rows, else the last 20.
        let expectedIds = ignoreLast ? Array(0..<20) : Array(7..<27)
        #expect(outs[2].metadata["item_id"] == expectedIds)
        #expect(outs[2].embeddings == labelledRows(20, 2, base: Float(expectedIds[0])))
        // The cache now holds the last 20 rows either way; eval calls do not add.
        _ = try sampler(all[0], training: false)
        #expect(try sampler.sample().metadata["item_id"] == Array(7..<27))
    }

    @Test func crossBatchOversizeBatchKeepsLastRows() throws {
        let sampler = CachedCrossBatchSampler(capacity: 4, ignoreLastBatchOnSample: false)
        let out = try sampler(EmbeddingWithMetadata(embeddings: labelledRows(9, 2, base: 0), metadata: ["item_id": Array(0..<9)]), training: true)
        #expect(out.metadata["item_id"] == [5, 6, 7, 8])
        #expect(out.embeddings == labelledRows(4, 2, base: 5))
        #expect(throws: SamplerError.dimensionMismatch(sampler: "CachedCrossBatchSampler", expected: 2, found: 3)) {
            _ = try sampler(EmbeddingWithMetadata(embeddings: labelledRows(1, 3, base: 0), metadata: ["item_id": [1]]), training: true)
        }
    }

    /// Row `[id, version]` for a batch of ids.
    func versioned(_ ids: [Int], version: Float) throws -> EmbeddingWithMetadata {
        try EmbeddingWithMetadata(embeddings: Matrix(rows: ids.count, columns: 2, values: ids.flatMap { [Float($0), version] }),
                                  metadata: ["item_id": ids])
    }

    @Test func uniformCacheUpdatesAndEvictions() throws {
        let s = CachedUniformSampler(capacity: 15)
        #expect(s.requiredFeatures == ["item_id"])
        try s.add(versioned([0, 0, 1, 1], version: 1))
        #expect(try s.sample().metadata["item_id"] == [0, 1])
        try s.add(versioned(Array(0..<10), version: 2))
        var out = try s.sample()
        #expect(out.metadata["item_id"] == Array(0..<10))
        #expect(out.embeddings[0, 1] == 2 && out.embeddings[1, 1] == 2)  // 0 and 1 refreshed in place
        try s.add(versioned(Array(7...12), version: 3))
        #expect(try s.sample().metadata["item_id"] == Array(0...12))
        try s.add(versioned([0, 1, 2], version: 4))
        out = try s.sample()
        #expect(out.metadata["item_id"] == Array(0...12))  // positions unchanged
        #expect(out.embeddings[2, 1] == 4 && out.embeddings[7, 1] == 3 && out.embeddings[3, 1] == 2)
        try s.add(versioned(Array(13...16), version: 5))
        out = try s.sample()
        #expect(out.metadata["item_id"] == Array(2...16))  // 0 and 1 evicted although just refreshed
        try s.add(versioned([99], version: 6), training: false)
        #expect(s.count == 15)
        #expect(throws: SamplerError.missingFeature(sampler: "CachedUniformSampler", feature: "item_id")) {
            try s.add(EmbeddingWithMetadata(embeddings: labelledRows(1, 2, base: 0)))
        }
    }

    @Test func uniformCacheKeepsUnsortedIdsAligned() throws {
        let s = CachedUniformSampler(capacity: 10, ignoreLastBatchOnSample: false)
        let ids = [9, 3, 7, 3, 1, 12, 9, 0]
        let emb = Matrix(rows: ids.count, columns: 2, values: ids.enumerated().flatMap { [Float($0.element) * 10, Float($0.offset)] })
        let out = try s(EmbeddingWithMetadata(embeddings: emb, metadata: ["item_id": ids, "pos": Array(0..<ids.count)]), training: true)
        #expect(out.metadata["item_id"] == [9, 3, 7, 1, 12, 0])
        #expect(out.metadata["pos"] == [0, 1, 2, 4, 5, 7])  // first occurrences, aligned
        for r in 0..<out.count {
            #expect(out.embeddings[r, 0] == Float(out.metadata["item_id"]![r]) * 10)
            #expect(out.embeddings[r, 1] == Float(out.metadata["pos"]![r]))
        }
    }
}
