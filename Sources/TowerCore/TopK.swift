/// Top-k selection per row of scores, with a deterministic total order.
///
/// **Order.** Entry `(s, i)` ranks before `(t, j)` when `s > t`, or `s == t` and `i < j`
/// (ties go to the lower index). `NaN` ranks after every number, `-infinity` included; among
/// NaNs the lower index comes first. `-0.0 == +0.0` (a tie). The selected entries come out best
/// first.
///
/// **Exclusions** are per-row lists of indices, sorted ascending (duplicates allowed); an
/// excluded index is never selected. A row with fewer than `k` selectable entries yields fewer
/// than `k` entries (the count is returned), never padding chosen by the selector.
public enum TopKOrder {
    /// Whether `(a, ia)` ranks strictly before `(b, ib)` in the top-k order.
    @inlinable @inline(__always)
    public static func ranksBefore(_ a: Float, _ ia: Int32, _ b: Float, _ ib: Int32) -> Bool {
        if a.isNaN { return b.isNaN && ia < ib }
        if b.isNaN { return true }
        return a > b || (a == b && ia < ib)
    }
}

/// A reusable top-k selector: `rows` bounded min-heaps of `(score, index)` pairs, each holding at
/// most `k` entries, in storage allocated once at `init`.
///
/// Feed a row's candidates with ``offer(row:scores:count:indexOffset:excluding:)`` (any number
/// of calls per row, e.g. one per column block), then read the row's selection, best first, with
/// ``extract(row:scores:indices:)`` (which also empties that row's heap). ``reset()`` empties
/// every heap. Neither allocates: a selector is built once per worker and reused.
///
/// Storage: heap scores `[rowCapacity, k]` and indices `[rowCapacity, k]`, row-major.
public struct TopKSelector: Sendable {
    /// The number of entries kept per row.
    public let k: Int
    /// The number of rows this selector can hold at once.
    public let rowCapacity: Int
    @usableFromInline var heapScores: [Float]
    @usableFromInline var heapIndices: [Int32]
    @usableFromInline var counts: [Int]

    /// A selector keeping the best `k` entries of up to `rows` rows.
    /// - Precondition: `k >= 1`, `rows >= 1`.
    public init(k: Int, rows: Int = 1) {
        precondition(k >= 1, "TopKSelector: k must be at least 1 (got \(k))")
        precondition(rows >= 1, "TopKSelector: rows must be at least 1 (got \(rows))")
        self.k = k
        self.rowCapacity = rows
        heapScores = [Float](repeating: 0, count: k * rows)
        heapIndices = [Int32](repeating: 0, count: k * rows)
        counts = [Int](repeating: 0, count: rows)
    }

    /// Empties every row's heap (no allocation).
    public mutating func reset() {
        for r in 0..<rowCapacity { counts[r] = 0 }
    }

    /// The number of entries currently held for `row` (at most `k`).
    public func count(row: Int) -> Int { counts[row] }

    /// Offers `count` candidates to `row`'s heap: candidate `j` has score `scores[j]` and index
    /// `indexOffset + j`. Indices listed in `excluding` (sorted ascending, any range) are skipped.
    ///
    /// Fast path: once the heap is full, candidates are screened eight at a time against the
    /// current worst score, so most of a long row costs one vector compare.
    /// - Precondition: `excluding` is sorted ascending; `indexOffset + count <= Int32.max`.
    @inlinable
    public mutating func offer(
        row: Int, scores: UnsafePointer<Float>, count: Int, indexOffset: Int,
        excluding: UnsafeBufferPointer<Int32>? = nil
    ) {
        precondition(row >= 0 && row < rowCapacity, "TopKSelector: row \(row) out of 0..<\(rowCapacity)")
        precondition(count >= 0 && indexOffset >= 0 && indexOffset + count <= Int(Int32.max),
                     "TopKSelector: candidate range \(indexOffset)..<\(indexOffset + count) out of Int32 range")
        let k = self.k
        let base = row * k
        var n = counts[row]
        heapScores.withUnsafeMutableBufferPointer { hsBuffer in
            heapIndices.withUnsafeMutableBufferPointer { hiBuffer in
                let hs = hsBuffer.baseAddress! + base
                let hi = hiBuffer.baseAddress! + base
                var segmentStart = 0
                if let excluding, excluding.count > 0 {
                    // First excluded entry at or after indexOffset (binary search).
                    var lo = 0, hi2 = excluding.count
                    while lo < hi2 {
                        let mid = (lo + hi2) >> 1
                        if Int(excluding[mid]) < indexOffset { lo = mid + 1 } else { hi2 = mid }
                    }
                    var e = lo
                    var previous = -1
                    while e < excluding.count {
                        let x = Int(excluding[e]) - indexOffset
                        e += 1
                        if x >= count { break }
                        precondition(x >= previous, "TopKSelector: exclusion list is not sorted ascending")
                        previous = x
                        if x < segmentStart { continue }
                        Self.scan(hs, hi, &n, k, scores, segmentStart, x, indexOffset)
                        segmentStart = x + 1
                    }
                }
                Self.scan(hs, hi, &n, k, scores, segmentStart, count, indexOffset)
            }
        }
        counts[row] = n
    }

    /// Offers a single candidate to `row`'s heap.
    @inlinable
    public mutating func offer(row: Int, score: Float, index: Int32) {
        var s = score
        withUnsafePointer(to: &s) { p in
            offer(row: row, scores: p, count: 1, indexOffset: Int(index))
        }
    }

    /// Writes `row`'s selection best first into `scores[0..<c]` and `indices[0..<c]` and returns
    /// `c`, the number held (at most `k`). The heap is left empty.
    @inlinable
    public mutating func extract(row: Int, scores: UnsafeMutablePointer<Float>,
                                 indices: UnsafeMutablePointer<Int32>) -> Int {
        precondition(row >= 0 && row < rowCapacity, "TopKSelector: row \(row) out of 0..<\(rowCapacity)")
        let k = self.k
        let c = counts[row]
        heapScores.withUnsafeMutableBufferPointer { hsBuffer in
            heapIndices.withUnsafeMutableBufferPointer { hiBuffer in
                let hs = hsBuffer.baseAddress! + row * k
                let hi = hiBuffer.baseAddress! + row * k
                var n = c
                while n > 0 {
                    // The root is the worst entry held: it goes last.
                    scores[n - 1] = hs[0]
                    indices[n - 1] = hi[0]
                    n -= 1
                    if n > 0 {
                        hs[0] = hs[n]; hi[0] = hi[n]
                        Self.siftDown(hs, hi, n, 0)
                    }
                }
            }
        }
        counts[row] = 0
        return c
    }

    // MARK: heap internals (root = worst entry held)

    @inlinable @inline(__always)
    static func scan(_ hs: UnsafeMutablePointer<Float>, _ hi: UnsafeMutablePointer<Int32>,
                     _ n: inout Int, _ k: Int, _ scores: UnsafePointer<Float>,
                     _ start: Int, _ end: Int, _ offset: Int) {
        var j = start
        // Fill phase.
        while j < end && n < k {
            hs[n] = scores[j]; hi[n] = Int32(truncatingIfNeeded: offset + j)
            n += 1
            siftUp(hs, hi, n - 1)
            j += 1
        }
        while j < end {
            let worst = hs[0]
            if !worst.isNaN {
                // Screen eight at a time: only s >= worst can enter (NaN never can here).
                let threshold = SIMD8<Float>(repeating: worst)
                while j + 8 <= end {
                    let v = UnsafeRawPointer(scores + j).loadUnaligned(as: SIMD8<Float>.self)
                    if any(v .>= threshold) { break }
                    j += 8
                }
                if j >= end { break }
            }
            let s = scores[j]
            let index = Int32(truncatingIfNeeded: offset + j)
            if TopKOrder.ranksBefore(s, index, hs[0], hi[0]) {
                hs[0] = s; hi[0] = index
                siftDown(hs, hi, k, 0)
            }
            j += 1
        }
    }

    @inlinable @inline(__always)
    static func siftUp(_ hs: UnsafeMutablePointer<Float>, _ hi: UnsafeMutablePointer<Int32>, _ start: Int) {
        var child = start
        let s = hs[child], i = hi[child]
        while child > 0 {
            let parent = (child - 1) >> 1
            // Parent must be worse than (rank after) the child.
            if TopKOrder.ranksBefore(hs[parent], hi[parent], s, i) {
                hs[child] = hs[parent]; hi[child] = hi[parent]
                child = parent
            } else { break }
        }
        hs[child] = s; hi[child] = i
    }

    @inlinable @inline(__always)
    static func siftDown(_ hs: UnsafeMutablePointer<Float>, _ hi: UnsafeMutablePointer<Int32>,
                         _ n: Int, _ start: Int) {
        var parent = start
        let s = hs[parent], i = hi[parent]
        while true {
            var child = 2 * parent + 1
            if child >= n { break }
            // Pick the worse child.
            if child + 1 < n && TopKOrder.ranksBefore(hs[child], hi[child], hs[child + 1], hi[child + 1]) {
                child += 1
            }
            if TopKOrder.ranksBefore(s, i, hs[child], hi[child]) {
                hs[parent] = hs[child]; hi[parent] = hi[child]
                parent = child
            } else { break }
        }
        hs[parent] = s; hi[parent] = i
    }
}

/// The top-k selection of every row of a score matrix: indices and scores `[rows, k]` row-major,
/// best first, and `counts[r]` valid entries in row `r` (fewer than `k` only when the row has
/// fewer than `k` selectable columns). Unused slots hold index `-1` and score `-infinity`;
/// read only the first `counts[r]` entries of a row.
public struct TopKSelection: Sendable, Equatable {
    /// The number of columns of the result.
    public let k: Int
    /// Selected column indices, `[rows, k]` row-major.
    public var indices: [Int32]
    /// Selected scores, `[rows, k]` row-major.
    public var scores: [Float]
    /// Valid entries per row.
    public var counts: [Int]
    /// Number of rows.
    public var rows: Int { counts.count }
}

/// Selects the best `k` columns of every row of `scores` (`[rows, n]`), in the order of
/// ``TopKOrder``, skipping per-row `excluding[r]` columns (each list sorted ascending).
/// - Precondition: `k >= 1`; `excluding`, when given, has one list per row.
public func topK(_ scores: Matrix, k: Int, excluding: [[Int32]]? = nil) -> TopKSelection {
    precondition(k >= 1, "topK: k must be at least 1 (got \(k))")
    if let excluding {
        precondition(excluding.count == scores.rows,
                     "topK: \(excluding.count) exclusion lists for \(scores.rows) rows")
    }
    var selector = TopKSelector(k: k)
    var indices = [Int32](repeating: -1, count: scores.rows * k)
    var outScores = [Float](repeating: -.infinity, count: scores.rows * k)
    var counts = [Int](repeating: 0, count: scores.rows)
    let n = scores.columns
    scores.withUnsafeBufferPointer { s in
        indices.withUnsafeMutableBufferPointer { ix in
            outScores.withUnsafeMutableBufferPointer { os in
                for r in 0..<scores.rows {
                    guard n > 0 else { break }
                    let row = s.baseAddress! + r * n
                    if let list = excluding?[r] {
                        list.withUnsafeBufferPointer { ex in
                            selector.offer(row: 0, scores: row, count: n, indexOffset: 0, excluding: ex)
                        }
                    } else {
                        selector.offer(row: 0, scores: row, count: n, indexOffset: 0)
                    }
                    counts[r] = selector.extract(row: 0, scores: os.baseAddress! + r * k,
                                                 indices: ix.baseAddress! + r * k)
                }
            }
        }
    }
    return TopKSelection(k: k, indices: indices, scores: outScores, counts: counts)
}
