import Testing
@testable import TowerData

/// A batch size beyond the log's rows (up to `Int.max`) takes the whole log per step and
/// allocates by the rows, not by the batch size; counting batches does not overflow.
@Suite struct HugeBatchTests {
    func log(rows: Int) -> InteractionLog {
        InteractionLog(users: (0..<rows).map { Int32($0 % 3) }, items: (0..<rows).map { Int32($0 % 5) },
                       userVocabulary: Vocabulary(name: "user", ids: ["a", "b", "c"]),
                       itemVocabulary: Vocabulary(name: "item", ids: ["p", "q", "r", "s", "t"]))
    }

    @Test(arguments: [360, 100_000_000, 10_000_000_000, Int.max])
    func aBatchBeyondTheRowsIsTheWholeLog(batchSize: Int) throws {
        let iterator = BatchIterator(log: log(rows: 360), batchSize: batchSize, seed: 3)
        #expect(iterator.batchesPerEpoch == 1)
        let batch = try #require(iterator.next())
        #expect(batch.count == 360)
        #expect(Set(batch.rows).count == 360)
        #expect(iterator.next() == nil)
        let dropping = BatchIterator(log: log(rows: 360), batchSize: batchSize, dropLast: true, seed: 3)
        #expect(dropping.batchesPerEpoch == (batchSize == 360 ? 1 : 0))
    }

    @Test func anEmptyLogHasNoBatch() {
        let empty = BatchIterator(log: log(rows: 0), batchSize: .max, seed: 1)
        #expect(empty.batchesPerEpoch == 0)
        #expect(empty.next() == nil)
    }
}

/// An interaction target beyond what the activity bounds allow gives every user the most it can
/// have instead of trapping on the Double → Int conversion.
@Suite struct SyntheticTargetTests {
    @Test func anUnreachableTargetIsCappedByTheActivityBounds() {
        let dataset = SyntheticDataset.generate(SyntheticConfiguration(users: 10, items: 5, interactions: 1_000_000, factors: 2))
        #expect(dataset.log.count <= 10 * 5)
        #expect(dataset.log.count >= 10 * 5 - 10)  // weights may run out for a user only in rare cases
    }
}
