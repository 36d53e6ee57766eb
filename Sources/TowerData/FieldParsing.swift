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

    private static let powersOfTen: [Double] = (0...22).map { e in
        var v = 1.0
        for _ in 0..<e { v *= 10 }
        return v
    }

    /// A decimal number `[+-]digits[.digits][(e|E)[+-]digits]`; nil otherwise (no inf/nan).
    static func double(_ p0: UnsafePointer<UInt8>, _ n0: Int) -> Double? {
        let (p, n) = trimmed(p0, n0)
        if n == 0 { return nil }
        var i = 0
        var negative = false
        if p[0] == 0x2D || p[0] == 0x2B { negative = p[0] == 0x2D; i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0, dropped = 0, exponent = 0
        var sawDigit = false
        while i < n, p[i] &- 0x30 <= 9 {
            sawDigit = true
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30); if mantissa > 0 { digits += 1 } } else { dropped += 1 }
            i += 1
        }
        exponent += dropped
        if i < n, p[i] == 0x2E {
            i += 1
            while i < n, p[i] &- 0x30 <= 9 {
                sawDigit = true
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 0x30); if mantissa > 0 { digits += 1 }; exponent -= 1 }
                i += 1
            }
        }
        if !sawDigit { return nil }
        if i < n, p[i] == 0x65 || p[i] == 0x45 {
            i += 1
            var expNegative = false
            if i < n, p[i] == 0x2D || p[i] == 0x2B { expNegative = p[i] == 0x2D; i += 1 }
            var e = 0, expDigits = 0
            while i < n, p[i] &- 0x30 <= 9 { if e < 100_000 { e = e * 10 + Int(p[i] &- 0x30) }; expDigits += 1; i += 1 }
            if expDigits == 0 { return nil }
            exponent += expNegative ? -e : e
        }
        if i != n { return nil }
        var value = Double(mantissa)
        if mantissa != 0 {
            var e = exponent
            while e > 22 { value *= 1e22; e -= 22; if value.isInfinite { break } }
            while e < -22 { value /= 1e22; e += 22; if value == 0 { break } }
            value = e >= 0 ? value * powersOfTen[e] : value / powersOfTen[-e]
        }
        if !value.isFinite { return nil }
        return negative ? -value : value
    }

    /// True when the bytes are valid UTF-8.
    static func isValidUTF8(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var ascii = true
        for i in 0..<n where p[i] >= 0x80 { ascii = false; break }
        if ascii { return true }
        return String(validating: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) != nil
    }
}
