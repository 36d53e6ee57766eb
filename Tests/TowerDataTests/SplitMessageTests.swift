import Testing
@testable import TowerData

/// Split errors name the split and the real fault: a fraction out of (0, 1), a cutoff that is not
/// a timestamp, or a cutoff outside the data's timestamps — not the users' interaction counts.
@Suite struct SplitMessageTests {
    func parseMessage(_ text: String) -> String? {
        do { _ = try SplitStrategy(parsing: text); return nil } catch { return "\(error)" }
    }

    @Test(arguments: [
        ("ratio:0", "the train fraction must be in (0, 1)"),
        ("ratio:1", "the train fraction must be in (0, 1)"),
        ("ratio:1.5", "the train fraction must be in (0, 1)"),
        ("ratio:-0.2", "the train fraction must be in (0, 1)"),
        ("ratio:nan", "with decimal fractions, found the train fraction \"nan\""),
        ("ratio:0.8:0.2", "train + validation below 1"),
        ("ratio:0.5:-0.1", "the validation fraction must be ≥ 0"),
        ("time:-0.5", "the cutoff must be an integer timestamp"),
        ("time:0.8", "not a fraction"),
        ("time:100:x", "the validation cutoff must be an integer timestamp"),
        ("time:100:200", "the validation cutoff 200 must be before the test cutoff 100"),
    ])
    func badSpellingsSayWhatIsExpected(_ text: String, _ fragment: String) throws {
        let message = try #require(parseMessage(text), "\(text) was accepted")
        #expect(message.hasPrefix("split \"\(text)\": "), "\(message)")
        #expect(message.contains(fragment), "\(message)")
    }

    @Test func goodSpellingsRoundTrip() throws {
        for text in ["leave-last-out", "leave-one-out+validation", "ratio:0.8", "ratio:0.7:0.1", "time:0", "time:150:120"] {
            #expect(try SplitStrategy(parsing: text).spelling == text)
        }
    }

    /// 4 users × 3 interactions at timestamps 100, 150, 200.
    func log(interactionsPerUser: Int = 3) -> InteractionLog {
        var users: [Int32] = [], items: [Int32] = [], times: [Int64] = []
        for u in 0..<4 {
            for k in 0..<interactionsPerUser { users.append(Int32(u)); items.append(Int32(k)); times.append(100 + 50 * Int64(k)) }
        }
        return InteractionLog(users: users, items: items, timestamps: times,
                              userVocabulary: Vocabulary(name: "user", ids: (0..<4).map(String.init)),
                              itemVocabulary: Vocabulary(name: "item", ids: (0..<interactionsPerUser).map(String.init)))
    }

    func splitMessage(_ strategy: SplitStrategy, _ log: InteractionLog) -> String? {
        do {
            let split = try DatasetSplit(log, strategy: strategy)
            try split.requireTrainAndTest(strategy: strategy, of: log)
            return nil
        } catch { return "\(error)" }
    }

    @Test func timeCutoffsOutsideTheTimestampsAreNamed() throws {
        let data = log()
        for cutoff: Int64 in [0, 1, 100] {
            let message = try #require(splitMessage(.timeCutoff(cutoff: cutoff, validationCutoff: nil), data))
            #expect(message.contains("split \"time:\(cutoff)\": every interaction is at or after the cutoff \(cutoff)"), "\(message)")
            #expect(message.contains("the timestamps run from 100 to 200") && message.contains("not a fraction"), "\(message)")
            #expect(!message.contains("interactions to have one held out"), "\(message)")
        }
        let late = try #require(splitMessage(.timeCutoff(cutoff: 201, validationCutoff: nil), data))
        #expect(late.contains("no interaction is at or after the cutoff 201") && late.contains("give a cutoff in (100, 200]"), "\(late)")
        let window = try #require(splitMessage(.timeCutoff(cutoff: 150, validationCutoff: 120), data))
        #expect(window.contains("no interaction falls in the validation window [120, 150)"), "\(window)")
        #expect(splitMessage(.timeCutoff(cutoff: 200, validationCutoff: 150), data) == nil)
    }

    @Test func splitsThatHoldOutNothingSayWhy() throws {
        let single = log(interactionsPerUser: 1)
        let leave = try #require(splitMessage(.leaveOneOut(validation: false), single))
        #expect(leave.contains("split \"leave-one-out\": holds out nothing") && leave.contains("the most any user has is 1"), "\(leave)")
        let ratio = try #require(splitMessage(.ratio(train: 0.9, validation: 0), log()))
        #expect(ratio.contains("split \"ratio:0.9\": holds out nothing") && ratio.contains("lower the fractions"), "\(ratio)")
        #expect(splitMessage(.ratio(train: 0.5, validation: 0), log()) == nil)
    }
}
