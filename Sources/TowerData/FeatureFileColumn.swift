/// A column of a side-feature file (`--item-features FILE`) and how it reaches the towers.
///
/// Spelled on the command line as `name` (kind inferred) or `name:kind`, comma-separated:
/// `genres:multi,year:numeric,tags` (see ``parseList(_:)``). Like NVTabular's `Categorify` /
/// `Normalize` tags and TFRS's `StringLookup` / `Normalization` layers, the kind says whether a
/// column is embedded or fed to the MLP as a number.
public struct FeatureFileColumn: Sendable, Equatable, CustomStringConvertible {
    /// How the values of a column are used.
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        /// One value per row, embedded (a row without a value gets the learned "missing" value).
        case categorical
        /// Several values in one field split on `separator` (one ASCII byte, `|` by default),
        /// embedded as a mean-pooled bag (the MovieLens genres path).
        case multiValued(separator: UInt8)
        /// A decimal number, z-score normalised with the training file's mean and standard
        /// deviation and fed to the MLP beside a missing indicator.
        case numeric

        /// `categorical`, `multi` (`multi=;` for another separator) or `numeric`.
        public var description: String {
            switch self {
            case .categorical: "categorical"
            case .multiValued(let s): s == UInt8(ascii: "|") ? "multi" : "multi=\(Character(Unicode.Scalar(s)))"
            case .numeric: "numeric"
            }
        }
    }

    /// The header name of the column (also the feature's name in the model).
    public var name: String
    /// `nil`: inferred from the values (``FeatureFileReader``).
    public var kind: Kind?

    public init(name: String, kind: Kind? = nil) {
        self.name = name; self.kind = kind
    }

    /// `name` or `name:kind`.
    public var description: String { kind.map { "\(name):\($0)" } ?? name }

    /// Parses `a,b:numeric,c:multi,d:categorical,e:multi=;`.
    /// - Throws: ``DataError/invalidRequest(_:)`` naming the bad entry and the accepted kinds.
    public static func parseList(_ text: String) throws(DataError) -> [FeatureFileColumn] {
        var columns: [FeatureFileColumn] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = raw.trimmingSpaces()
            let parts = entry.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingSpaces() }
            guard let name = parts.first, !name.isEmpty else {
                throw .invalidRequest("feature columns \"\(text)\": an empty column name; expected NAME or NAME:KIND, comma-separated")
            }
            guard !columns.contains(where: { $0.name == name }) else {
                throw .invalidRequest("feature columns \"\(text)\": column \"\(name)\" is named twice")
            }
            var kind: Kind? = nil
            if parts.count == 2 {
                let k = parts[1]
                switch k {
                case "categorical", "cat": kind = .categorical
                case "numeric", "num": kind = .numeric
                case "multi": kind = .multiValued(separator: UInt8(ascii: "|"))
                default:
                    if k.hasPrefix("multi="), k.utf8.count == 7, let b = k.utf8.last, b >= 0x21, b < 0x7F,
                       b != UInt8(ascii: ",") {
                        kind = .multiValued(separator: b)
                    } else {
                        throw .invalidRequest("feature columns \"\(text)\": column \"\(name)\" has the kind \"\(k)\"; expected categorical, multi (values split on |), multi=C (split on the character C) or numeric")
                    }
                }
            }
            columns.append(FeatureFileColumn(name: name, kind: kind))
        }
        return columns
    }
}

extension Substring {
    func trimmingSpaces() -> String { String(self).trimmingSpaces() }
}
