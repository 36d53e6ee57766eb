import Foundation

/// The frame shared by the report's plots: a viewBox-scaled SVG with a title, two titled axes
/// with tick labels and grid lines, and a legend below the plot area that wraps onto as many rows
/// as it needs. Coordinates are printed with one decimal; nothing non-finite reaches them.
struct SVGFrame {
    var width: Double = 640
    var title: String
    var x: PlotAxis
    var y: PlotAxis
    var xDomain: ClosedRange<Double>
    var yDomain: ClosedRange<Double>
    /// Legend entries: name, colour, dash pattern, whether it is a filled box (bars).
    var legend: [(name: String, color: String, dash: String?, box: Bool)] = []
    /// Custom x tick positions and labels (bar categories); `nil`: from the axis.
    var xTickLabels: [(value: Double, label: String)]? = nil

    let plotHeight: Double = 230
    let left: Double = 66, right: Double = 18, top: Double = 34
    static let fontSize = 12.0
    /// Approximate width of one character of the 12 px sans-serif labels.
    static let characterWidth = 6.6

    var plotWidth: Double { width - left - right }

    /// Legend rows: entries packed left to right.
    var legendRows: [[Int]] {
        var rows: [[Int]] = [], row: [Int] = [], used = 0.0
        for (i, entry) in legend.enumerated() {
            let w = 34 + Double(entry.name.count) * Self.characterWidth + 16
            if !row.isEmpty && used + w > plotWidth { rows.append(row); row = []; used = 0 }
            row.append(i); used += w
        }
        if !row.isEmpty { rows.append(row) }
        return legend.count > 1 ? rows : []  // one line needs no legend: the title names it
    }

    var height: Double { top + plotHeight + 52 + Double(legendRows.count) * 20 + (legendRows.isEmpty ? 0 : 6) }

    func px(_ value: Double) -> Double { left + x.fraction(value, in: xDomain) * plotWidth }
    func py(_ value: Double) -> Double { top + (1 - y.fraction(value, in: yDomain)) * plotHeight }

    /// The whole SVG with `body` (the marks) between the grid and the legend.
    func svg(body: String, ariaLabel: String) -> String {
        let c = HTMLText.coordinate
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(c(width)) \(c(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(ariaLabel))\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\" font-size=\"\(Int(Self.fontSize))\">"
        out += "<title>\(HTMLText.escape(title))</title>"
        out += "<text x=\"\(c(left))\" y=\"20\" font-size=\"14\" font-weight=\"600\" fill=\"#222\">\(HTMLText.escape(title))</text>"
        // Y ticks and grid.
        let yTicks = y.ticks(yDomain)
        for t in yTicks {
            let yy = py(t)
            out += "<line x1=\"\(c(left))\" x2=\"\(c(left + plotWidth))\" y1=\"\(c(yy))\" y2=\"\(c(yy))\" stroke=\"#e3e3e3\"/>"
            out += "<text x=\"\(c(left - 6))\" y=\"\(c(yy + 4))\" text-anchor=\"end\" fill=\"#444\">\(HTMLText.escape(y.tickLabel(t, ticks: yTicks)))</text>"
        }
        // X ticks.
        let xTicks: [(Double, String)]
        if let xTickLabels {
            xTicks = xTickLabels.map { ($0.value, $0.label) }
        } else {
            let values = x.ticks(xDomain, target: max(2, min(6, Int(plotWidth / 90))))
            xTicks = values.map { ($0, x.tickLabel($0, ticks: values)) }
        }
        let axisY = top + plotHeight
        for (t, label) in xTicks {
            let xx = px(t)
            out += "<line x1=\"\(c(xx))\" x2=\"\(c(xx))\" y1=\"\(c(axisY))\" y2=\"\(c(axisY + 5))\" stroke=\"#666\"/>"
            out += "<text x=\"\(c(xx))\" y=\"\(c(axisY + 18))\" text-anchor=\"middle\" fill=\"#444\">\(HTMLText.escape(label))</text>"
        }
        out += "<rect x=\"\(c(left))\" y=\"\(c(top))\" width=\"\(c(plotWidth))\" height=\"\(c(plotHeight))\" fill=\"none\" stroke=\"#999\"/>"
        out += body
        // Axis titles.
        out += "<text x=\"\(c(left + plotWidth / 2))\" y=\"\(c(axisY + 38))\" text-anchor=\"middle\" fill=\"#222\">\(HTMLText.escape(x.label))</text>"
        out += "<text transform=\"translate(14 \(c(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\" fill=\"#222\">\(HTMLText.escape(y.label))</text>"
        // Legend.
        var ly = axisY + 62
        for row in legendRows {
            var lx = left
            for i in row {
                let entry = legend[i]
                if entry.box {
                    out += "<rect x=\"\(c(lx))\" y=\"\(c(ly - 9))\" width=\"24\" height=\"10\" fill=\"\(entry.color)\"/>"
                } else {
                    let dash = entry.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
                    out += "<line x1=\"\(c(lx))\" x2=\"\(c(lx + 24))\" y1=\"\(c(ly - 4))\" y2=\"\(c(ly - 4))\" stroke=\"\(entry.color)\" stroke-width=\"2.5\"\(dash)/>"
                }
                out += "<text x=\"\(c(lx + 30))\" y=\"\(c(ly))\" fill=\"#222\">\(HTMLText.escape(entry.name))</text>"
                lx += 34 + Double(entry.name.count) * Self.characterWidth + 16
            }
            ly += 20
        }
        return out + "</svg>"
    }
}
