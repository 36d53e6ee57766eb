import Foundation
import Testing
@testable import TowerData

@Suite struct VocabularyAndFilterTests {
    func log(_ rows: [(String, String)], timestamps: [Int64]? = nil, ratings: [Float]? = nil) throws -> InteractionLog {
        let f = Fixtures(); defer { f.remove() }
        var text = "user_id,item_id,t,r\n"
        for (k, (u, i)) in rows.enumerated() { text += "\(u),\(i),\(timestamps?[k] ?? 0),\(ratings?[k] ?? 0)\n" }
        var l = try DelimitedReader.read(path: f.write("l.csv", text), schema: Schema(timestamp: "t", rating: "r")).log
        if timestamps == nil { l.timestamps = nil }
        if ratings == nil { l.ratings = nil }
        return l
    }

    @Test func vocabularySavesAndLoads() throws {
        let f = Fixtures(); defer { f.remove() }
        let v = Vocabulary(name: "item", ids: ["42", "Toy Story", "ü"], counts: [3, 0, 7])
        try v.save(to: f.path("items.vocab"))
        let loaded = try Vocabulary.load(from: f.path("items.vocab"))
        #expect(loaded == v)
        #expect(try loaded.row(for: "ü") == 2)
        #expect(dataError { try Vocabulary(name: "x", ids: ["a\tb"]).save(to: f.path("bad.vocab")) } != nil)
        f.write("foreign.vocab", "hello\n")
        #expect(dataError { try Vocabulary.load(from: f.path("foreign.vocab")) }.map { "\($0)".contains("# twotower vocabulary") } == true)
    }

    @Test func frequencyOrderPutsFrequentRowsFirstAndKeepsFeaturesAligned() throws {
        let f = Fixtures(); defer { f.remove() }
        let path = f.write("l.csv", "user_id,item_id,g\nu,a,ga\nu,b,gb\nv,b,gb\nw,c,gc\nw,b,gb\nv,c,gc\n")
        let schema = Schema(features: [FeatureColumn(name: "g", column: "g", target: .item, kind: .categorical)])
        let original = try DelimitedReader.read(path: path, schema: schema).log
        let ordered = original.orderedByFrequency()
        #expect(ordered.itemVocabulary.ids == ["b", "c", "a"])
        #expect(ordered.itemVocabulary.counts == [3, 2, 1])
        #expect(ordered.userVocabulary.ids == ["u", "v", "w"])   // ties keep first-appearance order
        #expect(pairs(ordered) == pairs(original))
        let g = ordered.itemFeatures[0]
        #expect(g.categoricalIds(missing: -1).map { g.vocabulary.ids[Int($0)] } == ["gb", "gc", "ga"])
    }

    @Test func minimumRatingKeepsLikedItemsAndCompacts() throws {
        let l = try log([("u", "a"), ("u", "b"), ("v", "c")], ratings: [5, 3.5, 2])
        let liked = try l.filtered(minRating: 4)
        #expect(pairs(liked) == ["u:a"])
        #expect(liked.itemVocabulary.ids == ["a"] && liked.userVocabulary.ids == ["u"])
        let noRatings = try log([("u", "a")])
        #expect(dataError { try noRatings.filtered(minRating: 4) }.map { "\($0)".contains("no rating column") } == true)
    }

    @Test func deduplicationPolicies() throws {
        let l = try log([("u", "a"), ("u", "b"), ("u", "a"), ("v", "a"), ("u", "a")], timestamps: [5, 1, 2, 3, 9])
        let first = l.deduplicated(.keepFirst)
        #expect(pairs(first) == ["u:b", "u:a", "v:a"])
        #expect(first.timestamps == [1, 2, 3])
        let last = l.deduplicated(.keepLast)
        #expect(pairs(last) == ["u:b", "v:a", "u:a"])
        #expect(last.timestamps == [1, 3, 9])
        let counted = l.deduplicated(.countAsWeight)
        #expect(counted.weights == [1, 1, 3])
        #expect(counted.itemVocabulary.counts == [2, 1])
    }

    @Test func kCoreRemovesUntilEveryoneHasEnough() throws {
        // u: a b c; v: a b; w: a d. With 2-core: d has 1 → w has 1 → w gone; c has 1 → gone.
        let l = try log([("u", "a"), ("u", "b"), ("u", "c"), ("v", "a"), ("v", "b"), ("w", "a"), ("w", "d")])
        let core = l.kCore(userMinimum: 2, itemMinimum: 2)
        #expect(Set(pairs(core)) == ["u:a", "u:b", "v:a", "v:b"])
        #expect(core.userVocabulary.ids == ["u", "v"] && core.itemVocabulary.ids == ["a", "b"])
        let (uc, ic) = core.rowCounts()
        #expect(uc.allSatisfy { $0 >= 2 } && ic.allSatisfy { $0 >= 2 })
    }

    @Test func statisticsOfAKnownLog() throws {
        // Item counts 4, 1, 1 (a, b, c); users u: 3, v: 2, w: 1.
        let l = try log([("u", "a"), ("u", "b"), ("u", "c"), ("v", "a"), ("v", "a"), ("w", "a")])
        let s = DatasetStatistics(l)
        #expect(s.users == 3 && s.items == 3 && s.interactions == 6)
        #expect(abs(s.density - 6.0 / 9.0) < 1e-12)
        // Gini of [1, 1, 4]: Σ(2k − n − 1)x / (n Σx) = (−2·1 + 0·1 + 2·4) / (3·6) = 1/3.
        #expect(abs(s.giniItemPopularity - 1.0 / 3.0) < 1e-12)
        #expect(abs(s.topOnePercentShare - 4.0 / 6.0) < 1e-12)
        #expect(s.meanInteractionsPerUser == 2 && s.medianInteractionsPerUser == 2 && s.maxInteractionsPerUser == 3)
        #expect(s.description.contains("Gini of item popularity"))
    }
}
