/// Colours and line styles of the report's plots: the Okabe–Ito palette (distinguishable with
/// the common colour-vision deficiencies, and in greyscale print by the dash patterns).
enum PlotPalette {
    static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
    static func color(_ index: Int) -> String { colors[index % colors.count] }
    /// The lines behind the highlighted ones.
    static let grey = "#9a9a9a"

}

/// How one series is drawn.
enum SeriesStyle: Equatable {
    /// A solid line; `faint` draws it thin and translucent (raw values under a smoothed line).
    case line(faint: Bool)
    case dashed
    /// A line with a dot at every point (few points: epochs, cut-offs).
    case lineWithDots
    /// Dashed, with dots.
    case dashedWithDots
    /// A thick line with dots: the one series the plot is about (the chosen trial).
    case emphasized
    /// Dots without a line (values that are not a sequence, e.g. trial scores by rung).
    case dotsOnly

    var dashArray: String? {
        switch self {
        case .dashed, .dashedWithDots: "6 4"
        default: nil
        }
    }
    var dots: Bool { self == .lineWithDots || self == .dashedWithDots || self == .emphasized || self == .dotsOnly }
}
