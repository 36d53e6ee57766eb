extension DatasetSplit {
    /// Checks that the split left interactions to train on, held some out for testing and, for a
    /// time split with a validation cutoff, for validation; the error names the strategy and why
    /// it gave none (the timestamps' range, the users' interaction counts).
    /// - Parameters:
    ///   - strategy: the strategy that made this split.
    ///   - log: the log it split.
    /// - Throws: ``DataError/invalidRequest(_:)``.
    public func requireTrainAndTest(strategy: SplitStrategy, of log: InteractionLog) throws(DataError) {
        let split = "split \"\(strategy.spelling)\""
        var timeRange: String {
            guard let t = log.timestamps, let low = t.min(), let high = t.max() else { return "the data has no timestamps" }
            return "the timestamps run from \(low) to \(high)"
        }
        var range: (low: Int64, high: Int64) {
            (log.timestamps?.min() ?? 0, log.timestamps?.max() ?? 0)
        }
        if train.count == 0, case .timeCutoff(let cutoff, let validationCutoff) = strategy {
            let first = min(cutoff, validationCutoff ?? cutoff)
            throw .invalidRequest("\(split): every interaction is at or after the cutoff \(first) (\(timeRange)), so nothing is left to train on; the cutoff is a timestamp in the data's units, not a fraction: give one in (\(range.low), \(range.high)]")
        }
        if test.count == 0 {
            let most = log.rowCounts().users.max() ?? 0
            switch strategy {
            case .timeCutoff(let cutoff, _):
                throw .invalidRequest("\(split): no interaction is at or after the cutoff \(cutoff) (\(timeRange)), so nothing is held out for testing; give a cutoff in (\(range.low), \(range.high)]")
            case .ratio(let t, let v):
                throw .invalidRequest("\(split): holds out nothing: with \(t) of each user's interactions for training\(v > 0 ? " and \(v) for validation" : "") every user's test share rounds to 0 interactions (the most any user has is \(most)); lower the fractions")
            case .leaveLastOut(let v), .leaveOneOut(let v):
                throw .invalidRequest("\(split): holds out nothing: a user needs at least \(v ? 3 : 2) interactions to have one held out\(v ? " (one more for validation)" : ""), and the most any user has is \(most); give a test file")
            }
        }
        if case .timeCutoff(let cutoff, let validationCutoff?) = strategy, (validation?.count ?? 0) == 0 {
            throw .invalidRequest("\(split): no interaction falls in the validation window [\(validationCutoff), \(cutoff)) (\(timeRange)), so the validation set is empty")
        }
    }
}
