import Foundation

/// Text for the HTML report: escaping and number formatting.
enum HTMLText {
    /// `text` with `& < > " '` replaced by entities: safe inside elements and quoted attributes
    /// (every string from data files, configuration or paths goes through this).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A metric value as the tables print it: rates with 4 decimals, percentiles with 1, `–` when
    /// missing or not finite.
    static func metric(_ value: Double?, percentile: Bool = false) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: percentile ? "%.1f" : "%.4f", value)
    }

    /// An integer with thin-space thousands separators (`100 836`).
    static func integer(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "\u{2009}" }
            out.append(c)
        }
        return (value < 0 ? "−" : "") + out
    }

    /// A share as a percentage with 1 decimal (`42.0%`).
    static func percent(_ share: Double) -> String {
        share.isFinite ? String(format: "%.1f%%", 100 * share) : "–"
    }

    /// A number with `significant` significant digits, no exponent for everyday magnitudes.
    static func number(_ value: Double, significant: Int = 4) -> String {
        guard value.isFinite else { return "–" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e-3 && magnitude < 1e7 {
            let decimals = max(0, significant - 1 - Int(floor(log10(magnitude))))
            return String(format: "%.\(decimals)f", value)
        }
        return String(format: "%.\(significant - 1)e", value)
    }

    /// A coordinate for SVG: 1 decimal, never NaN (non-finite input becomes 0; callers filter
    /// non-finite data before mapping, this is the last guard).
    static func coordinate(_ value: Double) -> String {
        String(format: "%.1f", value.isFinite ? value : 0)
    }
}
