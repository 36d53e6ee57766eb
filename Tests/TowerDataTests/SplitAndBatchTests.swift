import Foundation
import Testing
@testable import TowerData

@Suite struct SplitAndBatchTests {
    /// 30 users × 1…12 interactions with distinct items and shuffled timestamps.
    func sampleLog() -> InteractionLog {
        var users: [Int32] = [], items: [Int32] = [], times: [Int64] = []
        for u in 0..<30 {
            for k in 0..<(1 + u % 12) {
                users.append(Int32(u)); items.append(Int32((u * 7 + k * 3) % 50)); times.append(Int64((k * 37 + u) % 101) * 1000 + Int64(k))
            }
        }
        return InteractionLog(users: users, items: items, timestamps: times,
                              userVocabulary: Vocabulary(name: "user", ids: (0..<30).map(String.init)),
                              itemVocabulary: Vocabulary(name: "item", ids: (0..<50).map(String.init))).recounted()
    }

    func rowSet(_ l: InteractionLog) -> [String] {
        (0..<l.count).map { "\(l.users[$0]):\(l.items[$0]):\(l.timestamps![$0])" }
    }

    func checkPartition(_ split: DatasetSplit, _ log: InteractionLog) {
        let all = rowSet(split.train) + rowSet(split.test) + (split.validation.map(rowSet) ?? [])
        #expect(all.sorted() == rowSet(log).sorted())            // every row once, no overlap
        for u in 0..<log.userCount {
            for i in split.testItemsByUser.items(of: u) { #expect(!split.trainItemsByUser.contains(user: u, item: i)) }
        }
    }

    @Test func leaveLastOutHoldsOutTheLatestPerUser() throws {
        let log = sampleLog()
        let split = try DatasetSplit(log, strategy: .leaveLastOut(validation: true))
        checkPartition(split, log)
        for u in 0..<log.userCount {
            let n = log.userVocabulary.counts[u]
            #expect(split.testItemsByUser.count(of: u) == (n >= 3 ? 1 : 0))
            #expect(split.validationItemsByUser!.count(of: u) == (n >= 3 ? 1 : 0))
            let rows = (0..<log.count).filter { log.users[$0] == u }
            if n >= 3 {
                let latest = rows.max { log.timestamps![$0] < log.timestamps![$1] }!
                #expect(Array(split.testItemsByUser.items(of: u)) == [log.items[latest]])
            }
        }
        #expect(dataError { try DatasetSplit(InteractionLog(users: [0], items: [0], userVocabulary: Vocabulary(name: "u", ids: ["a"]), itemVocabulary: Vocabulary(name: "i", ids: ["b"])), strategy: .leaveLastOut(validation: false)) } != nil)
    }

    @Test func leaveOneOutIsSeededAndOnePerUser() throws {
        let log = sampleLog()
        let a = try DatasetSplit(log, strategy: .leaveOneOut(validation: false), seed: 7)
        let b = try DatasetSplit(log, strategy: .leaveOneOut(validation: false), seed: 7)
        let c = try DatasetSplit(log, strategy: .leaveOneOut(validation: false), seed: 8)
        checkPartition(a, log)
        #expect(a.test == b.test && a.train == b.train)
        #expect(a.test != c.test)
        for u in 0..<log.userCount { #expect(a.testItemsByUser.count(of: u) == (log.userVocabulary.counts[u] >= 2 ? 1 : 0)) }
        #expect(a.validation == nil)
    }

    @Test func ratioSplitPerUserCounts() throws {
        let log = sampleLog()
        let split = try DatasetSplit(log, strategy: .ratio(train: 0.7, validation: 0.1), seed: 3)
        checkPartition(split, log)
        let (trainCounts, _) = split.train.rowCounts()
        let (valCounts, _) = split.validation!.rowCounts()
        for u in 0..<log.userCount {
            let n = log.userVocabulary.counts[u]
            #expect(trainCounts[u] == max(1, Int((0.7 * Double(n)).rounded())))
            #expect(valCounts[u] == min(n - trainCounts[u], Int((0.1 * Double(n)).rounded())))
        }
        #expect(try SplitStrategy(parsing: "ratio:0.8") == .ratio(train: 0.8, validation: 0))
        #expect(try SplitStrategy(parsing: "leave-last-out+validation") == .leaveLastOut(validation: true))
        #expect(dataError { try SplitStrategy(parsing: "ratio:1.5") } != nil)
    }

    @Test func timeCutoffSplitsGlobally() throws {
        let log = sampleLog()
        let split = try DatasetSplit(log, strategy: .timeCutoff(cutoff: 60_000, validationCutoff: 40_000))
        checkPartition(split, log)
        #expect(split.train.timestamps!.allSatisfy { $0 < 40_000 })
        #expect(split.validation!.timestamps!.allSatisfy { $0 >= 40_000 && $0 < 60_000 })
        #expect(split.test.timestamps!.allSatisfy { $0 >= 60_000 })
    }

    @Test func batchesCoverEveryRowOncePerEpochAndAreSeeded() throws {
        let log = sampleLog()
        let iterator = BatchIterator(log: log, batchSize: 16, seed: 11)
        var epochs: [[Int32]] = []
        for e in 0..<3 {
            iterator.startEpoch(e)
            var seen: [Int32] = []
            var batches = 0
            while let batch = iterator.next() {
                batches += 1
                #expect(batch.count <= 16)
                for k in 0..<batch.count {
                    let r = Int(batch.rows[k])
                    #expect(batch.users[k] == log.users[r] && batch.items[k] == log.items[r] && batch.weights[k] == 1)
                }
                seen += Array(batch.rows)
            }
            #expect(batches == iterator.batchesPerEpoch)
            #expect(seen.sorted() == (0..<Int32(log.count)).map { $0 })
            epochs.append(seen)
        }
        #expect(epochs[0] != epochs[1])
        let again = BatchIterator(log: log, batchSize: 16, seed: 11)
        again.startEpoch(1)
        #expect(Array(again.epochOrder) == epochs[1])
        let dropping = BatchIterator(log: log, batchSize: 16, dropLast: true, seed: 11)
        var total = 0
        while let b = dropping.next() { #expect(b.count == 16); total += b.count }
        #expect(total == (log.count / 16) * 16)
    }
}
