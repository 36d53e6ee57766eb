import Foundation

/// Grouped bars as inline SVG: one group per category (e.g. popularity decile), one bar per
/// series in each group, a legend when there is more than one series.
struct BarPlot {
    struct Series {
        var name: String
        /// One value per category.
        var values: [Double]
        var color: Int
    }

    var title: String
    var categories: [String]
    var x: PlotAxis
    var y: PlotAxis
    var series: [Series]
    var width: Double = 640
    /// A bar's value in its tooltip (the values are percentages unless a plot says otherwise).
    var valueText: (Double) -> String = { String(format: "%.1f%%", $0) }

    func svg() -> String {
        var yAxis = y
        yAxis.includesZero = true
        let values = series.flatMap { $0.values }.filter(\.isFinite)
        let yDomain = yAxis.domain(values)
        let n = Double(max(categories.count, 1))
        let xDomain = 0.0...n
        let ticks = categories.enumerated().map { (value: Double($0.offset) + 0.5, label: $0.element) }
        let legend = series.map { (name: $0.name, color: PlotPalette.color($0.color), dash: String?.none, box: true) }
        var frame = SVGFrame(width: width, title: title, x: x, y: yAxis, xDomain: xDomain, yDomain: yDomain, legend: legend)
        frame.xTickLabels = ticks
        let c = HTMLText.coordinate
        let groupWidth = frame.plotWidth / n * 0.8
        let barWidth = groupWidth / Double(max(series.count, 1))
        var body = ""
        for (si, s) in series.enumerated() {
            for (ci, value) in s.values.enumerated() where ci < categories.count && value.isFinite {
                let x0 = frame.px(Double(ci)) + frame.plotWidth / n * 0.1 + Double(si) * barWidth
                let yTop = frame.py(max(value, yDomain.lowerBound)), yBase = frame.py(max(0, yDomain.lowerBound))
                body += "<rect x=\"\(c(x0))\" y=\"\(c(min(yTop, yBase)))\" width=\"\(c(max(barWidth - 1, 0.5)))\" height=\"\(c(abs(yBase - yTop)))\" fill=\"\(PlotPalette.color(s.color))\"><title>\(HTMLText.escape("\(s.name), \(categories[ci]): \(valueText(value))"))</title></rect>"
            }
        }
        return frame.svg(body: body, ariaLabel: title)
    }
}
