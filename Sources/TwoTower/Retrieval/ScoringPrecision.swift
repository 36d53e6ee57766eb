/// How a ``BruteForceIndex`` scores queries against its items.
public enum ScoringPrecision: Sendable, Equatable, CustomStringConvertible {
    /// Exact float32 dot products (the default).
    case float32
    /// Candidates chosen with bfloat16 dot products (`BFloat16Matrix` in TowerCore: half the
    /// memory traffic, twice the multiply-adds per instruction on AVX512_BF16), then the best
    /// `refine × k` candidates re-scored in float32 and re-ranked — faiss's `IndexRefineFlat`
    /// over a bfloat16 scalar quantiser. Returned scores are the float32 scores, bit for bit;
    /// an item is missed only when bfloat16 rounding (about `2⁻⁷ · ‖query‖ · ‖item‖`) pushes it
    /// out of the `refine × k` candidates. Measure the recall against ``float32`` on your
    /// model (`twotower-bench topk --precision`).
    case bfloat16(refine: Int)

    /// The default refinement factor of ``bfloat16(refine:)``.
    public static let defaultRefine = 4

    /// Parses `float32`, `bfloat16` (refine ``defaultRefine``) or `bfloat16:R`.
    /// - Throws: ``RetrievalError/invalidPrecision(_:)``.
    public init(parsing text: String) throws {
        if text == "float32" { self = .float32; return }
        if text == "bfloat16" { self = .bfloat16(refine: Self.defaultRefine); return }
        if text.hasPrefix("bfloat16:"), let r = Int(text.dropFirst("bfloat16:".count)), r >= 1, r <= 1000 {
            self = .bfloat16(refine: r); return
        }
        throw RetrievalError.invalidPrecision(text)
    }

    public var description: String {
        switch self {
        case .float32: "float32"
        case .bfloat16(let r): "bfloat16:\(r)"
        }
    }
}
