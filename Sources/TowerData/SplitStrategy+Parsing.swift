/// The checks of the `ratio:` and `time:` spellings, and the spelling of a strategy.
extension SplitStrategy {
    /// The CLI spelling (`leave-one-out+validation`, `ratio:0.8:0.1`, `time:1700000000`).
    public var spelling: String {
        switch self {
        case .leaveLastOut(let v): "leave-last-out" + (v ? "+validation" : "")
        case .leaveOneOut(let v): "leave-one-out" + (v ? "+validation" : "")
        case .ratio(let t, let v): "ratio:\(t)" + (v > 0 ? ":\(v)" : "")
        case .timeCutoff(let c, let v): "time:\(c)" + (v.map { ":\($0)" } ?? "")
        }
    }

    /// `ratio:<train>[:<validation>]`: the train fraction in (0, 1), the validation fraction ≥ 0,
    /// their sum below 1 (the rest is the test set).
    static func ratioFractions(_ text: String, _ parts: [String]) throws(DataError) -> (train: Double, validation: Double) {
        let usage = "ratio:<train> or ratio:<train>:<validation>"
        guard let t = Double(parts[1]), t.isFinite else {
            throw .invalidRequest("split \"\(text)\": expected \(usage) with decimal fractions, found the train fraction \"\(parts[1])\"")
        }
        guard t > 0 && t < 1 else {
            throw .invalidRequest("split \"\(text)\": the train fraction must be in (0, 1), strictly between 0 (nothing to train on) and 1 (nothing held out), found \(parts[1])")
        }
        guard parts.count == 3 else { return (t, 0) }
        guard let v = Double(parts[2]), v.isFinite else {
            throw .invalidRequest("split \"\(text)\": expected \(usage) with decimal fractions, found the validation fraction \"\(parts[2])\"")
        }
        guard v >= 0 && t + v < 1 else {
            throw .invalidRequest("split \"\(text)\": the validation fraction must be ≥ 0 and train + validation below 1 (the rest is the test set), found \(parts[1]) + \(parts[2])")
        }
        return (t, v)
    }

    /// `time:<cutoff>[:<validation cutoff>]`: integer timestamps in the data's units, the validation
    /// cutoff before the test cutoff.
    static func timeCutoffs(_ text: String, _ parts: [String]) throws(DataError) -> (cutoff: Int64, validation: Int64?) {
        func timestamp(_ field: String, _ what: String) throws(DataError) -> Int64 {
            guard let value = Int64(field) else {
                throw .invalidRequest("split \"\(text)\": the \(what) must be an integer timestamp in the data's units (e.g. Unix seconds), found \"\(field)\"; time:CUTOFF holds out the interactions at or after CUTOFF (a point in time, not a fraction: for a fraction of each user's interactions use ratio:0.8)")
            }
            return value
        }
        let cutoff = try timestamp(parts[1], "cutoff")
        guard parts.count == 3 else { return (cutoff, nil) }
        let validation = try timestamp(parts[2], "validation cutoff")
        guard validation < cutoff else {
            throw .invalidRequest("split \"\(text)\": the validation cutoff \(validation) must be before the test cutoff \(cutoff) (validation holds the interactions from the validation cutoff up to the test cutoff)")
        }
        return (cutoff, validation)
    }
}
