import Foundation

/// One axis of a plot: title with unit, linear or log scale, its domain and tick marks.
struct PlotAxis {
    enum Scale { case linear, log }

    /// The axis title, e.g. `loss` (unit separately, shown in parentheses).
    var title: String
    var unit: String?
    var scale: Scale = .linear
    /// Force 0 into a linear domain (bar heights, shares).
    var includesZero = false
    /// Integer ticks only (steps, epochs, k).
    var integerTicks = false

    /// `title (unit)`.
    var label: String { unit.map { "\(title) (\($0))" } ?? title }

    /// The domain covering `values` (finite ones; positive ones on a log scale), widened when
    /// empty or a single value so that the mapping is never degenerate.
    func domain(_ values: [Double]) -> ClosedRange<Double> {
        let usable = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        guard var lo = usable.min(), var hi = usable.max() else { return scale == .log ? 1...10 : 0...1 }
        switch scale {
        case .linear:
            if includesZero { lo = min(lo, 0); hi = max(hi, 0) }
            if hi - lo <= abs(hi) * 1e-9 {  // flat: a band around the value
                let pad = hi == 0 ? 1 : abs(hi) * 0.1
                lo -= pad; hi += pad
                if includesZero && values.allSatisfy({ $0 >= 0 }) { lo = max(lo, 0) }
            } else if !includesZero {
                let pad = (hi - lo) * 0.05
                lo -= pad; hi += pad
            }
            if integerTicks { lo = floor(lo); hi = ceil(hi); if hi == lo { hi = lo + 1 } }
        case .log:
            if hi / lo < 1.5 { lo /= 1.5; hi *= 1.5 }
        }
        return lo...hi
    }

    /// Tick values inside `domain`: 1-2-5 steps (about `target` of them) on a linear scale;
    /// powers of ten on a log scale (with 2 and 5 between them when it spans less than two
    /// decades).
    func ticks(_ domain: ClosedRange<Double>, target: Int = 5) -> [Double] {
        switch scale {
        case .linear:
            let step = Self.niceStep((domain.upperBound - domain.lowerBound) / Double(max(target, 1)),
                                     integer: integerTicks)
            var out: [Double] = []
            var v = (domain.lowerBound / step).rounded(.up) * step
            while v <= domain.upperBound + step * 1e-9, out.count < 50 {
                out.append(abs(v) < step * 1e-9 ? 0 : v)
                v += step
            }
            return out
        case .log:
            let lo = Int(floor(log10(domain.lowerBound))), hi = Int(ceil(log10(domain.upperBound)))
            let multiples: [Double] = hi - lo <= 2 ? [1, 2, 5] : [1]
            var out: [Double] = []
            for e in lo...hi {
                for m in multiples {
                    let v = m * pow(10, Double(e))
                    if v >= domain.lowerBound * (1 - 1e-9) && v <= domain.upperBound * (1 + 1e-9) { out.append(v) }
                }
            }
            if out.count > 8 {  // many decades: every other power
                out = out.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
            }
            return out
        }
    }

    /// The 1-2-5 step at or above `raw`.
    static func niceStep(_ raw: Double, integer: Bool) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let power = pow(10, floor(log10(raw)))
        let fraction = raw / power
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        let step = nice * power
        return integer ? max(1, step.rounded()) : step
    }

    /// Position of `value` in `[0, 1]` along `domain`.
    func fraction(_ value: Double, in domain: ClosedRange<Double>) -> Double {
        switch scale {
        case .linear:
            return (value - domain.lowerBound) / (domain.upperBound - domain.lowerBound)
        case .log:
            return (log10(value) - log10(domain.lowerBound)) / (log10(domain.upperBound) - log10(domain.lowerBound))
        }
    }

    /// A tick label: `1k`, `10M` for large values, as many decimals as the tick step needs.
    func tickLabel(_ value: Double, ticks: [Double]) -> String {
        let magnitude = abs(value)
        if magnitude >= 10_000 {
            for (limit, suffix) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] where magnitude >= limit {
                let scaled = value / limit
                return (scaled == scaled.rounded() ? String(format: "%.0f", scaled) : String(format: "%.1f", scaled)) + suffix
            }
        }
        if scale == .log {
            return value >= 1 ? String(format: "%.0f", value) : HTMLText.number(value, significant: 1)
        }
        let step = ticks.count > 1 ? abs(ticks[1] - ticks[0]) : max(magnitude, 1)
        let decimals = step >= 1 ? 0 : min(6, Int(ceil(-log10(step) - 1e-9)))
        return String(format: "%.\(decimals)f", value)
    }
}
