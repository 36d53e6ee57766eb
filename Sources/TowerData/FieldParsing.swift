/// Byte-level field parsers used by every reader (no String, no allocation).
enum FieldParsing {
    /// Trims ASCII spaces and tabs at both ends.
    @inline(__always)
    static func trimmed(_ p: UnsafePointer<UInt8>, _ n: Int) -> (UnsafePointer<UInt8>, Int) {
        var s = p, len = n
        while len > 0, s.pointee == 0x20 || s.pointee == 0x09 { s += 1; len -= 1 }
        while len > 0, s[len - 1] == 0x20 || s[len - 1] == 0x09 { len -= 1 }
        return (s, len)
    }

    /// A decimal integer with an optional sign; nil when the bytes are not one or overflow.
    @inline(__always)
    static func int64(_ p0: UnsafePointer<UInt8>, _ n0: Int) -> Int64? {
        let (p, n) = trimmed(p0, n0)
        if n == 0 { return nil }
        var i = 0
        var negative = false
        if p[0] == 0x2D || p[0] == 0x2B { negative = p[0] == 0x2D; i = 1; if n == 1 { return nil } }
        if n - i > 19 { return nil }
        var value: UInt64 = 0
        while i < n {
            let d = UInt64(p[i]) &- 0x30
            if d > 9 { return nil }
            value = value &* 10 &+ d
            i += 1
        }
        if negative {
            if value > UInt64(Int64.max) + 1 { return nil }
            return value == UInt64(Int64.max) + 1 ? Int64.min : -Int64(value)
        }
        if value > UInt64(Int64.max) { return nil }
        return Int64(value)
    }

    /// A decimal number scanned into `mantissa × 10^exponent` (first 19 significant digits).
    struct Decimal {
        var negative: Bool
        var mantissa: UInt64
        var exponent: Int
        /// True when every significant digit is in `mantissa` (none dropped past the 19th).
        var exact: Bool
    }

    /// Scans `[+-]digits[.digits][(e|E)[+-]digits]` (at least one digit in the mantissa); nil for
    /// any other bytes (no inf, nan or hex). Any length and exponent are accepted.
    static func decimal(_ p: UnsafePointer<UInt8>, _ n: Int) -> Decimal? {
        if n == 0 { return nil }
        var i = 0
        var negative = false
        if p[0] == 0x2D || p[0] == 0x2B { negative = p[0] == 0x2D; i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0, exponent = 0
        var exact = true, sawDigit = false
        while i < n, p[i] &- 0x30 <= 9 {
            sawDigit = true
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30)
                if mantissa > 0 { digits += 1 }
            } else {
                exponent += 1
                if p[i] != 0x30 { exact = false }
            }
            i += 1
        }
        if i < n, p[i] == 0x2E {
            i += 1
            while i < n, p[i] &- 0x30 <= 9 {
                sawDigit = true
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30)
                    if mantissa > 0 { digits += 1 }
                    exponent -= 1
                } else if p[i] != 0x30 {
                    exact = false
                }
                i += 1
            }
        }
        if !sawDigit { return nil }
        if i < n, p[i] == 0x65 || p[i] == 0x45 {
            i += 1
            var expNegative = false
            if i < n, p[i] == 0x2D || p[i] == 0x2B { expNegative = p[i] == 0x2D; i += 1 }
            var e = 0, expDigits = 0
            // Saturates: an exponent past a million is out of range for every float type anyway.
            while i < n, p[i] &- 0x30 <= 9 { if e < 1_000_000 { e = e * 10 + Int(p[i] &- 0x30) }; expDigits += 1; i += 1 }
            if expDigits == 0 { return nil }
            exponent += expNegative ? -e : e
        }
        if i != n { return nil }
        return Decimal(negative: negative, mantissa: mantissa, exponent: exponent, exact: exact)
    }

    private static let doublePowersOfTen: [Double] = (0...22).map { e in
        var v = 1.0
        for _ in 0..<e { v *= 10 }
        return v
    }

    private static let floatPowersOfTen: [Float] = (0...10).map { e in
        var v: Float = 1
        for _ in 0..<e { v *= 10 }
        return v
    }

    /// A decimal number `[+-]digits[.digits][(e|E)[+-]digits]` rounded to the nearest Double
    /// (the value `Double(String)` gives); nil for other bytes and for values out of range
    /// (overflow to infinity). Underflow gives zero or a subnormal, as `Double(String)` does.
    static func double(_ p0: UnsafePointer<UInt8>, _ n0: Int) -> Double? {
        let (p, n) = trimmed(p0, n0)
        guard let d = decimal(p, n) else { return nil }
        // Exact fast path: the mantissa and the power of ten are both exact Doubles, so one
        // multiplication or division rounds correctly.
        if d.exact, d.mantissa <= 1 << 53, d.exponent >= -22, d.exponent <= 22 {
            var value = Double(d.mantissa)
            value = d.exponent >= 0 ? value * doublePowersOfTen[d.exponent] : value / doublePowersOfTen[-d.exponent]
            return d.negative ? -value : value
        }
        guard let value = Double(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)),
              value.isFinite else { return nil }
        return value
    }

    /// Like `double`, rounded once to the nearest Float (the value `Float(String)` gives, with no
    /// double rounding through Double); nil for other bytes and values beyond Float's range.
    static func float(_ p0: UnsafePointer<UInt8>, _ n0: Int) -> Float? {
        let (p, n) = trimmed(p0, n0)
        guard let d = decimal(p, n) else { return nil }
        if d.exact, d.mantissa <= 1 << 24, d.exponent >= -10, d.exponent <= 10 {
            var value = Float(d.mantissa)
            value = d.exponent >= 0 ? value * floatPowersOfTen[d.exponent] : value / floatPowersOfTen[-d.exponent]
            return d.negative ? -value : value
        }
        guard let value = Float(String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)),
              value.isFinite else { return nil }
        return value
    }

    /// True when the bytes are valid UTF-8.
    static func isValidUTF8(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var ascii = true
        for i in 0..<n where p[i] >= 0x80 { ascii = false; break }
        if ascii { return true }
        return String(validating: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) != nil
    }
}
