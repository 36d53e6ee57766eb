/// The HTML page around the report's sections: one self-contained file, CSS inline, no scripts,
/// no fonts or images from the network. Responsive (plots are viewBox SVGs at 100% width, tables
/// scroll sideways on a phone) and printable (`@media print`: no shadows, sections not split).
enum ReportPage {
    /// The narrowest a plot is drawn on a phone (CSS px): its 640-unit viewBox then keeps the
    /// 12-unit labels at ≥ 10.5 px; the figure scrolls sideways instead of shrinking further.
    static let phonePlotMinimumWidth = 560.0

    static let css = """
        :root { color-scheme: light; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #f6f6f4; color: #222; line-height: 1.45;
               font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        main { max-width: 1060px; margin: 0 auto; padding: 16px; }
        h1 { font-size: 1.5rem; margin: 0.4rem 0 0.2rem; }
        h2 { font-size: 1.2rem; margin: 0 0 0.6rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
        h3 { font-size: 1rem; margin: 0.8rem 0 0.4rem; }
        p.lead { margin: 0 0 1rem; color: #555; }
        section { background: #fff; border-radius: 6px; padding: 14px 16px; margin: 0 0 16px;
                  box-shadow: 0 1px 2px rgba(0,0,0,0.08); }
        .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 440px), 1fr)); gap: 12px; }
        figure { margin: 0; }
        figure svg { width: 100%; height: auto; display: block; }
        figcaption { font-size: 0.85rem; color: #555; margin-top: 2px; }
        .table-wrap { overflow-x: auto; }
        table { border-collapse: collapse; font-size: 0.9rem; margin: 0 0 8px; }
        th, td { padding: 3px 10px 3px 0; text-align: left; vertical-align: top; border-bottom: 1px solid #eee; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; padding-left: 10px; }
        tr.differs td { background: #fff6d6; }
        .default { color: #888; }
        .tag { font-size: 0.75rem; color: #777; border: 1px solid #ccc; border-radius: 3px; padding: 0 3px; margin-left: 4px; }
        .note { font-size: 0.85rem; color: #666; }
        .figures { display: flex; flex-wrap: wrap; gap: 8px 24px; margin: 0 0 8px; }
        .figures div { min-width: 120px; }
        .figures b { display: block; font-size: 1.15rem; }
        .empty { color: #777; font-style: italic; padding: 8px 0; }
        tr.chosen td { background: #e4f0fa; }
        .barcell { display: flex; align-items: center; gap: 6px; justify-content: flex-end; }
        .bar { display: inline-block; height: 10px; min-width: 1px; background: #0072B2; }
        .barcell .bar { flex: 0 0 auto; }
        details { margin-top: 6px; }
        @media (max-width: 600px) { main { padding: 6px; } section { padding: 10px; } body { font-size: 14px; }
          /* a 640-unit plot squeezed to a phone's width would draw its 12 px labels at ~7 px:
             keep at least 560 px (labels ≥ 10.5 px) and scroll sideways */
          figure { overflow-x: auto; } figure svg { min-width: \(Int(phonePlotMinimumWidth))px; } }
        @media print {
          body { background: #fff; font-size: 11pt; }
          main { max-width: none; padding: 0; }
          section { box-shadow: none; border: 1px solid #ccc; break-inside: avoid; page-break-inside: avoid; }
          figure { break-inside: avoid; }
          .grid { grid-template-columns: 1fr 1fr; }
          tr.differs td, tr.chosen td { background: #eee; }
          .bar { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
        }
        """

    /// The document: `title` (escaped here), `heading` and `sections` (HTML, already escaped).
    static func document(title: String, heading: String, sections: [String]) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLText.escape(title))</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <main>
        \(heading)
        \(sections.joined(separator: "\n"))
        </main>
        </body>
        </html>

        """
    }
}
