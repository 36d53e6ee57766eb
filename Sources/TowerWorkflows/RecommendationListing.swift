import Foundation
import TowerData
import TwoTower

/// How `twotower recommend` writes recommendations: a text block per user for people, JSON Lines
/// for programs, and a TSV table for `--all-users` files. Titles (e.g. MovieLens `movies.csv`)
/// are added when known.
public struct RecommendationListing: Sendable {
    /// Item id → title; empty when there are none.
    public var titles: [String: String]

    public init(titles: [String: String] = [:]) { self.titles = titles }

    /// One user's block: `user ID`, then with `history` the newest-first training items, then a
    /// column header and one `rank item score [title]` line per item (tab-separated, indented).
    public func text(user: String, items: [Recommendation], history: [String]? = nil) -> String {
        var lines = ["user \(user)"]
        if let history {
            lines.append("  history (latest \(history.count) training items, newest first)")
            for (n, item) in history.enumerated() { lines.append("  -\(n + 1)\t\(item)" + title(item)) }
        }
        lines.append("  rank\titem\tscore" + (titles.isEmpty ? "" : "\ttitle"))
        for (rank, r) in items.enumerated() { lines.append("  \(rank + 1)\t\(r.item)\t\(r.score)" + title(r.item)) }
        return lines.joined(separator: "\n")
    }

    /// The `--all-users` TSV header: `user rank item score [title]`.
    public var tableHeader: String { "user\trank\titem\tscore" + (titles.isEmpty ? "" : "\ttitle") }

    /// One user's rows of the `--all-users` TSV (tabs and newlines in titles become spaces).
    public func tableRows(user: String, items: [Recommendation]) -> String {
        items.enumerated().map { "\(user)\t\($0.offset + 1)\t\($0.element.item)\t\($0.element.score)" + title($0.element.item) }
            .joined(separator: "\n")
    }

    /// One JSON Lines object: `{"user": ID, "items": [{"item": ID, "score": S, "title": T?}, …],
    /// "history": [{"item": ID, "title": T?}, …]?}` (ranked best first; no trailing newline).
    public func jsonLine(user: String, items: [Recommendation], history: [String]? = nil) throws -> String {
        struct Entry: Encodable { var item: String; var score: Float?; var title: String? }
        struct Line: Encodable { var user: String; var items: [Entry]; var history: [Entry]? }
        let line = Line(user: user, items: items.map { Entry(item: $0.item, score: $0.score, title: titles[$0.item]) },
                        history: history.map { $0.map { Entry(item: $0, score: nil, title: titles[$0]) } })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(line), as: UTF8.self)
    }

    private func title(_ item: String) -> String {
        guard let t = titles[item] else { return titles.isEmpty ? "" : "\t" }
        return "\t" + t.map { $0 == "\t" || $0 == "\n" || $0 == "\r" ? " " : $0 }.reduce(into: "") { $0.append($1) }
    }
}

extension RecommendationListing {
    /// The listing for a saved model: with MovieLens data recorded in the model
    /// (``DataSourceRecord``), the titles from `movies.csv` / `movies.dat` / `u.item` beside the
    /// ratings. Titles are a display aid: a missing or unreadable file gives no titles and a note.
    public static func forModel(_ checkpoint: ModelCheckpoint) -> (listing: RecommendationListing, note: String?) {
        guard let record = checkpoint.configuration.dataSource, let path = record.path, record.format == "movielens" else {
            return (RecommendationListing(), nil)
        }
        guard let file = MovieLensTitles.file(for: path) else { return (RecommendationListing(), nil) }
        do {
            return (RecommendationListing(titles: try MovieLensTitles.read(file)), nil)
        } catch {
            return (RecommendationListing(), "no titles: \(error)")
        }
    }
}
