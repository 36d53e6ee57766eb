import ArgumentParser

/// Parses a `--seed` value. Seeds are `UInt64`; a negative or fractional one is rejected with the
/// accepted range (the parser's own message only says the value is invalid).
func parseSeed(_ text: String) throws -> UInt64 {
    guard let seed = UInt64(text) else {
        throw ValidationError("expected a non-negative integer (0 to \(UInt64.max)), found \"\(text)\"")
    }
    return seed
}
