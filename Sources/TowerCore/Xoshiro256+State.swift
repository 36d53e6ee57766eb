extension Xoshiro256 {
    /// The generator's four state words, for checkpoints: a generator made with
    /// ``init(state:)`` from them continues the same sequence.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// A generator continuing from `state` (four words from ``state``).
    /// - Precondition: `state` holds four words, not all zero (Xoshiro's one forbidden state).
    public init(state: [UInt64]) {
        precondition(state.count == 4 && state.contains { $0 != 0 }, "Xoshiro256: expected 4 state words, not all zero, found \(state)")
        self.init(seed: 0)
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
    }
}
