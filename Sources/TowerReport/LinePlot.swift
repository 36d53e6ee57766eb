import Foundation

/// A line plot as inline SVG: several series over shared axes (linear or log), optional vertical
/// markers (e.g. the kept epoch), a legend when there is more than one series.
struct LinePlot {
    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
        var style: SeriesStyle = .line(faint: false)
        /// Palette index.
        var color: Int
        /// A colour outside the palette (e.g. grey for the trials behind the highlighted ones).
        var hexColor: String? = nil
        /// Whether the legend lists it (one entry can stand for many grey lines).
        var inLegend = true

        var resolvedColor: String { hexColor ?? PlotPalette.color(color) }
    }

    /// A vertical line at `x` with a label at its top.
    struct Marker {
        var x: Double
        var label: String
    }

    var title: String
    var x: PlotAxis
    var y: PlotAxis
    var series: [Series]
    var markers: [Marker] = []
    var width: Double = 640

    /// The points each axis can draw (finite, positive on a log axis).
    func drawable(_ s: Series) -> [(x: Double, y: Double)] {
        s.points.filter { p in
            p.x.isFinite && p.y.isFinite && (x.scale == .linear || p.x > 0) && (y.scale == .linear || p.y > 0)
        }
    }

    /// Whether any series has a point to draw.
    var isEmpty: Bool { series.allSatisfy { drawable($0).isEmpty } }

    func svg() -> String {
        let all = series.flatMap(drawable)
        let xDomain = x.domain(all.map(\.x) + markers.map(\.x))
        let yDomain = y.domain(all.map(\.y))
        let legend = series.filter(\.inLegend).map { s in (name: s.name, color: s.resolvedColor, dash: s.style.dashArray, box: s.style == .dotsOnly) }
        let frame = SVGFrame(width: width, title: title, x: x, y: y, xDomain: xDomain, yDomain: yDomain, legend: legend)
        let c = HTMLText.coordinate
        var body = ""
        for m in markers where m.x.isFinite && (x.scale == .linear || m.x > 0) {
            let xx = frame.px(m.x)
            body += "<line x1=\"\(c(xx))\" x2=\"\(c(xx))\" y1=\"\(c(frame.top))\" y2=\"\(c(frame.top + frame.plotHeight))\" stroke=\"#888\" stroke-dasharray=\"2 3\"/>"
            let anchor = xx > frame.left + frame.plotWidth * 0.7 ? "end" : "start"
            let dx = anchor == "end" ? -4.0 : 4.0
            body += "<text x=\"\(c(xx + dx))\" y=\"\(c(frame.top + 14))\" text-anchor=\"\(anchor)\" fill=\"#555\">\(HTMLText.escape(m.label))</text>"
        }
        for s in series {
            let points = drawable(s)
            guard !points.isEmpty else { continue }
            let color = s.resolvedColor
            let path = points.map { "\(c(frame.px($0.x))),\(c(frame.py($0.y)))" }.joined(separator: " ")
            var width = 2.0, opacity = ""
            if case .line(faint: true) = s.style { width = 1; opacity = " stroke-opacity=\"0.45\"" }
            if s.style == .emphasized { width = 3.2 }
            let dash = s.style.dashArray.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            if points.count > 1 && s.style != .dotsOnly {
                body += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(width)\"\(opacity)\(dash) stroke-linejoin=\"round\" points=\"\(path)\"/>"
            }
            if s.style.dots || points.count == 1 {
                for p in points {
                    body += "<circle cx=\"\(c(frame.px(p.x)))\" cy=\"\(c(frame.py(p.y)))\" r=\"3.5\" fill=\"\(color)\"/>"
                }
            }
        }
        return frame.svg(body: body, ariaLabel: title)
    }
}
