import TwoTower

/// A wall-clock budget such as `30m`, `90s`, `2h` or `1h30m` (the spelling of `twotower tune
/// --time-budget`), in seconds.
public enum TimeBudget {
    /// Parses one or more `<number><unit>` groups, units `s`, `m`, `h`; the total must be positive.
    /// - Throws: ``ConfigurationError`` naming the text and the accepted forms.
    public static func seconds(parsing text: String) throws -> Double {
        let expected = "expected a duration such as 90s, 30m, 2h or 1h30m"
        var total = 0.0, number = ""
        var groups = 0
        for character in text.lowercased() {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            let unit: Double
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            default: throw ConfigurationError("time budget \"\(text)\": \(expected)")
            }
            guard let value = Double(number), value.isFinite else {
                throw ConfigurationError("time budget \"\(text)\": \(expected)")
            }
            total += value * unit
            number = ""
            groups += 1
        }
        guard number.isEmpty, groups > 0 else {
            throw ConfigurationError("time budget \"\(text)\": \(expected) (a number needs its unit)")
        }
        guard total > 0 else { throw ConfigurationError("time budget \"\(text)\" must be positive") }
        return total
    }

    /// `seconds` as `1h02m`, `12m05s` or `42s`, for progress lines.
    public static func format(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded()))
        if s >= 3600 { return "\(s / 3600)h" + pad((s % 3600) / 60) + "m" }
        if s >= 60 { return "\(s / 60)m" + pad(s % 60) + "s" }
        return "\(s)s"
    }

    private static func pad(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
