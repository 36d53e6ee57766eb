import Foundation
import Testing
import TowerCore
@testable import TowerData

@Suite struct SyntheticDatasetTests {
    static let medium = SyntheticConfiguration(users: 1500, items: 1000, interactions: 60_000, seed: 5)

    @Test func seededAndSized() {
        let small = SyntheticConfiguration(users: 200, items: 600, interactions: 6000, seed: 1)
        let a = SyntheticDataset.generate(small), b = SyntheticDataset.generate(small)
        var other = small; other.seed = 2
        let c = SyntheticDataset.generate(other)
        #expect(a.log == b.log && a.truth == b.truth)
        #expect(a.log.items != c.log.items)
        #expect(abs(a.log.count - 6000) <= 60)
        #expect(a.truth.userFactors.rows == 200 && a.truth.itemFactors.rows == 600 && a.truth.userFactors.columns == 16)
        // Distinct items per user, timestamps increasing per user.
        let lists = UserItemLists(a.log)
        #expect(lists.items.count == a.log.count)
        for k in 1..<a.log.count where a.log.users[k] == a.log.users[k - 1] {
            #expect(a.log.timestamps![k] > a.log.timestamps![k - 1])
        }
    }

    @Test func popularityExponentAndActivityLaw() {
        // τ large: the tilt vanishes and items follow the Zipf law (up to saturation at the head).
        var config = Self.medium
        config.temperature = 1000
        let data = SyntheticDataset.generate(config)
        let (userCounts, itemCounts) = data.log.rowCounts()
        // Least-squares slope of log count against log (rank + 1) over ranks 10…499.
        var xs: [Double] = [], ys: [Double] = []
        for i in 10..<500 where itemCounts[i] > 0 { xs.append(log(Double(i + 1))); ys.append(log(Double(itemCounts[i]))) }
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        var sxy = 0.0, sxx = 0.0
        for k in xs.indices { sxy += (xs[k] - mx) * (ys[k] - my); sxx += (xs[k] - mx) * (xs[k] - mx) }
        let slope = sxy / sxx
        #expect(abs(-slope - config.popularityExponent) < 0.1, "fitted exponent \(-slope)")
        // Activity: mean on target, bounds respected, log-normal spread near σ (clamping narrows it).
        #expect(abs(Double(data.log.count) / Double(config.users) - 40) < 0.5)
        #expect(userCounts.min()! >= config.minimumActivity && userCounts.max()! <= config.maximumActivity)
        let logs = userCounts.map { log(Double($0)) }
        let mean = logs.reduce(0, +) / Double(logs.count)
        let sd = (logs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(logs.count)).squareRoot()
        #expect(sd > 0.55 * config.activitySigma && sd < 1.1 * config.activitySigma, "log-activity sd \(sd)")
    }

    @Test func defaultShapeHasHeadShareInRange() {
        // The default catalogue and activity with 1,500 users: the top 1% of items hold
        // 15–30% of the interactions.
        let data = SyntheticDataset.generate(SyntheticConfiguration(users: 1500, interactions: 75_000))
        let stats = DatasetStatistics(data.log)
        #expect(stats.topOnePercentShare >= 0.15 && stats.topOnePercentShare <= 0.30, "share \(stats.topOnePercentShare)")
    }

    @Test func oracleRankingBeatsPopularityOnLeaveLastOut() throws {
        let data = SyntheticDataset.generate(Self.medium)
        let split = try DatasetSplit(data.log, strategy: .leaveLastOut(validation: false))
        let trainCounts = split.trainItemCounts
        let k = 20
        var oracleHits = 0, popularityHits = 0, evaluated = 0
        var scores = [Float](repeating: 0, count: data.log.itemCount)
        let popularityOrder = (0..<data.log.itemCount).sorted { trainCounts[$0] > trainCounts[$1] }
        for u in stride(from: 0, to: data.log.userCount, by: 2) where split.testItemsByUser.count(of: u) > 0 {
            evaluated += 1
            let target = split.testItemsByUser.items(of: u).first!
            data.truth.oracleScores(user: u, into: &scores)
            for i in split.trainItemsByUser.items(of: u) { scores[Int(i)] = -.infinity }
            let better = scores.filter { $0 > scores[Int(target)] }.count
            if better < k { oracleHits += 1 }
            let top = popularityOrder.lazy.filter { !split.trainItemsByUser.contains(user: u, item: Int32($0)) }.prefix(k)
            if top.contains(Int(target)) { popularityHits += 1 }
        }
        #expect(evaluated > 500)
        #expect(Double(oracleHits) > 1.5 * Double(popularityHits), "oracle \(oracleHits), popularity \(popularityHits) of \(evaluated)")
        #expect(abs(data.truth.oracleScore(user: 3, item: 7) - {
            var s = [Float](repeating: 0, count: data.log.itemCount); data.truth.oracleScores(user: 3, into: &s); return s[7]
        }()) < 1e-5)
    }

    @Test func writesAndReadsFilesWithAlignedTruth() throws {
        let f = Fixtures(); defer { f.remove() }
        let data = SyntheticDataset.generate(SyntheticConfiguration(users: 100, items: 80, interactions: 2000, seed: 9))
        try data.write(to: f.directory)
        let header = try String(contentsOfFile: f.path("interactions.csv"), encoding: .utf8).prefix(26)
        #expect(header == "user_id,item_id,timestamp\n")
        let (log, truth) = try SyntheticDataset.read(from: f.directory)
        #expect(log.count == data.log.count)
        #expect(log.timestamps == data.log.timestamps)
        for k in stride(from: 0, to: log.count, by: 97) {
            let u = Int(log.users[k]), i = Int(log.items[k])
            let origU = Int(log.userVocabulary.ids[u])!, origI = Int(log.itemVocabulary.ids[i])!
            #expect(Int(data.log.users[k]) == origU && Int(data.log.items[k]) == origI)
            #expect(truth.oracleScore(user: u, item: i) == data.truth.oracleScore(user: origU, item: origI))
        }
        // A truncated truth file is a clear error.
        let bytes = try FileIO.readAll(f.path("truth.bin"))
        f.write("truth.bin", bytes: Array(bytes.dropLast(4)))
        #expect(dataError { try SyntheticDataset.readTruth(from: f.directory) }.map { "\($0)".contains("truncated") } == true)
    }
}
