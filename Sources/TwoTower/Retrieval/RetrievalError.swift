/// Errors of ``BruteForceIndex`` and of the evaluation protocols: bad input from the caller.
public enum RetrievalError: Error, Equatable, CustomStringConvertible {
    /// The index was built from zero items.
    case emptyIndex
    /// Query (or other) embeddings have `found` columns where the index has `expected`.
    case dimensionMismatch(what: String, expected: Int, found: Int)
    /// `k` is not at least 1.
    case invalidK(Int)
    /// `k` exceeds the number of candidates where the protocol requires `k <= candidates`.
    case kExceedsCandidates(k: Int, candidates: Int)
    /// Two arrays that must have one entry per row differ in length.
    case countMismatch(what: String, expected: Int, found: Int)
    /// An item row is outside `0..<items`.
    case itemOutOfRange(what: String, list: Int, item: Int32, items: Int)
    /// External ids must be unique.
    case duplicateID(Int64)
    /// A scoring precision that is not `float32`, `bfloat16` or `bfloat16:R` with `R` in 1...1000.
    case invalidPrecision(String)

    public var description: String {
        switch self {
        case .emptyIndex:
            return "BruteForceIndex: the index holds no items (item embeddings have 0 rows)"
        case let .dimensionMismatch(what, expected, found):
            return "\(what): expected embeddings of dimension \(expected), found \(found)"
        case let .invalidK(k):
            return "k must be at least 1, found \(k)"
        case let .kExceedsCandidates(k, candidates):
            return "k = \(k) exceeds the number of candidates (\(candidates)); the per-row protocol requires k <= candidates"
        case let .countMismatch(what, expected, found):
            return "\(what): expected \(expected) entries (one per row), found \(found)"
        case let .itemOutOfRange(what, list, item, items):
            return "\(what) list \(list): item row \(item) is outside 0..<\(items)"
        case let .duplicateID(id):
            return "BruteForceIndex: item id \(id) appears more than once; ids must be unique"
        case let .invalidPrecision(text):
            return "scoring precision \"\(text)\": expected float32, bfloat16 or bfloat16:R (R, the refinement factor, in 1...1000)"
        }
    }
}
