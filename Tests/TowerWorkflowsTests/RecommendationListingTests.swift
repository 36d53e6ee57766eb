import Foundation
import Testing
import TowerData
import TowerFormats
import TowerTestSupport
import TwoTower
@testable import TowerWorkflows

/// `recommend`'s batch path, history from the data record, listings and titles (issue 12).
@Suite struct RecommendationListingTests {
    @Test func blockedAllUsersEqualsOneUserAtATime() throws {
        let dir = try DataSourceRecordTests.csvDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try DataSourceRecordTests.train(dir)
        let r = try Recommender(modelDirectory: dir + "/model")
        var seen: [String] = [], progress: [Int] = []
        try r.recommendAllUsers(k: 4, block: 3, progress: { done, total in progress.append(done); #expect(total == 10) }) { user, items in
            seen.append(user)
            #expect(items == (try r.recommend(user: user, k: 4)), "user \(user)")
            let row = try r.checkpoint.users.row(for: user)
            let trained = Set(r.checkpoint.trainItemsByUser[Int(row)].map { r.checkpoint.items.id(of: $0) })
            #expect(trained.isDisjoint(with: items.map(\.item)), "seen items excluded")
        }
        #expect(seen == r.checkpoint.users.ids)
        #expect(progress == [3, 6, 9, 10])
    }

    @Test func anUnknownUserIsAnErrorNamingTheIdAndTheModel() throws {
        let dir = try DataSourceRecordTests.csvDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try DataSourceRecordTests.train(dir)
        let r = try Recommender(modelDirectory: dir + "/model")
        let error = #expect(throws: ConfigurationError.self) { try r.recommend(user: "stranger", k: 3) }
        #expect(error?.message.hasPrefix("unknown user id \"stranger\": the model in \(dir)/model was trained on 10 users") == true,
                "\(String(describing: error))")
    }

    @Test func historyIsTheNewestTrainingItemsFromTheRecordedData() throws {
        let dir = try DataSourceRecordTests.csvDirectory(); defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try DataSourceRecordTests.train(dir)
        let r = try Recommender(modelDirectory: dir + "/model")
        let (lists, note) = try r.recentTrainingItems(count: 2)
        #expect(note.contains("\(dir)/log.csv"))
        // Independently: re-split with the recorded options and seed, order each user's training rows by time.
        let prepared = try DataSourceRecordTests.source(dir).prepare(seed: 5)
        let train = prepared.split.train
        for (row, list) in lists.enumerated() {
            let rows = (0..<train.count).filter { Int(train.users[$0]) == row }
            let newest = rows.sorted { train.timestamps![$0] > train.timestamps![$1] }.prefix(2)
            #expect(list == newest.map { train.itemVocabulary.id(of: train.items[$0]) })
            let trained = Set(r.checkpoint.trainItemsByUser[row].map { r.checkpoint.items.id(of: $0) })
            #expect(Set(list).isSubset(of: trained), "history items are training items")
            #expect(list.count == min(2, trained.count))
        }
    }

    @Test func listingsCarryTitlesAndJSONLinesParse() throws {
        let listing = RecommendationListing(titles: ["7": "Seven\t(1995)", "9": "Nine, \"The\""])
        let items = [Recommendation(item: "7", score: 1.5), Recommendation(item: "8", score: -0.25)]
        #expect(listing.text(user: "u", items: items, history: ["9"]) == """
            user u
              history (latest 1 training items, newest first)
              -1\t9\tNine, "The"
              rank\titem\tscore\ttitle
              1\t7\t1.5\tSeven (1995)
              2\t8\t-0.25\t
            """)
        #expect(listing.tableHeader == "user\trank\titem\tscore\ttitle")
        #expect(listing.tableRows(user: "u", items: items) == "u\t1\t7\t1.5\tSeven (1995)\nu\t2\t8\t-0.25\t")
        let line = try listing.jsonLine(user: "u", items: items, history: ["9"])
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["user"] as? String == "u")
        let ranked = try #require(object["items"] as? [[String: Any]])
        #expect(ranked.map { $0["item"] as? String } == ["7", "8"])
        #expect(ranked.map { ($0["score"] as? NSNumber)?.floatValue } == [1.5, -0.25])
        #expect(ranked[0]["title"] as? String == "Seven\t(1995)" && ranked[1]["title"] == nil)
        #expect((object["history"] as? [[String: Any]])?.first?["title"] as? String == "Nine, \"The\"")
        #expect(RecommendationListing().text(user: "u", items: items).hasSuffix("rank\titem\tscore\n  1\t7\t1.5\n  2\t8\t-0.25"))
    }

    @Test func movieLensTitlesAreReadFromEachVariant() throws {
        let dir = temporaryDirectory("titles"); defer { try? FileManager.default.removeItem(atPath: dir) }
        for sub in ["latest", "1m", "100k"] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(sub)", withIntermediateDirectories: true)
        }
        try Data("userId,movieId,rating,timestamp\n1,1,4.0,1\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/latest/ratings.csv"))
        try Data("movieId,title,genres\r\n1,\"American President, The (1995)\",Comedy\r\n2,\"Say \"\"Hi\"\" (2001)\",Drama\r\n3,Plain (1990),Drama\r\n".utf8)
            .write(to: URL(fileURLWithPath: "\(dir)/latest/movies.csv"))
        try Data("1::1::4::1\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/1m/ratings.dat"))
        try Data([UInt8]("1::Caf".utf8) + [0xE9] + [UInt8](" (1999)::Drama\n".utf8)).write(to: URL(fileURLWithPath: "\(dir)/1m/movies.dat"))
        try Data("1\t1\t4\t1\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/100k/u.data"))
        try Data("1|Toy Story (1995)|01-Jan-1995||http://x|0|1\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/100k/u.item"))
        let latest = try #require(MovieLensTitles.file(for: "\(dir)/latest"))
        #expect(try MovieLensTitles.read(latest) == ["1": "American President, The (1995)", "2": "Say \"Hi\" (2001)", "3": "Plain (1990)"])
        #expect(try MovieLensTitles.read(#require(MovieLensTitles.file(for: "\(dir)/1m/ratings.dat"))) == ["1": "Café (1999)"])
        #expect(try MovieLensTitles.read(#require(MovieLensTitles.file(for: "\(dir)/100k"))) == ["1": "Toy Story (1995)"])
        #expect(MovieLensTitles.file(for: "\(dir)/nothing") == nil)
    }
}
