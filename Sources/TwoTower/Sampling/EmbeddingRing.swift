import TowerCore

/// Fixed-capacity FIFO storage of embedding rows and their metadata (Merlin's `FIFOQueue`, one
/// per tensor, fused), shared by the cached samplers. Slots are overwritten oldest-first.
struct EmbeddingRing {
    let capacity: Int
    let samplerName: String
    var dimension = 0
    var featureNames: [String] = []
    var isBuilt = false
    /// `[capacity, dimension]` row-major.
    var rows: [Float] = []
    /// One `[capacity]` array per feature, in `featureNames` order.
    var meta: [[Int]] = []
    /// Slot of the oldest row.
    var first = 0
    /// Rows stored, at most `capacity`.
    var count = 0
    /// Reused output buffers of `gather`.
    var outEmbeddings = Matrix(rows: 0, columns: 0)
    var outMetadata: [String: [Int]] = [:]

    init(capacity: Int, samplerName: String) {
        precondition(capacity > 0, "\(samplerName): capacity must be positive, got \(capacity)")
        self.capacity = capacity
        self.samplerName = samplerName
    }

    /// Builds the storage from the first batch's shape, or checks a later batch against it.
    mutating func buildOrCheck(_ items: EmbeddingWithMetadata) throws {
        try checkRowCounts(items)
        let names = items.metadata.keys.sorted()
        if !isBuilt {
            dimension = items.embeddings.columns
            featureNames = names
            rows = [Float](repeating: 0, count: capacity * dimension)
            meta = names.map { _ in [Int](repeating: -1, count: capacity) }
            outEmbeddings = Matrix(rows: capacity, columns: dimension)
            outMetadata = Dictionary(uniqueKeysWithValues: names.map { ($0, [Int](repeating: 0, count: capacity)) })
            isBuilt = true
            return
        }
        if items.embeddings.columns != dimension {
            throw SamplerError.dimensionMismatch(sampler: samplerName, expected: dimension, found: items.embeddings.columns)
        }
        if names != featureNames {
            throw SamplerError.featureSetMismatch(sampler: samplerName, expected: featureNames, found: names)
        }
    }

    /// Index of `name` in `featureNames`.
    func featureIndex(_ name: String) -> Int? { featureNames.firstIndex(of: name) }

    /// Appends row `r` of `items` at the tail; when full, overwrites the oldest slot.
    /// Returns the slot written and the slot's previous metadata value of feature `key` if a row was evicted.
    @discardableResult
    mutating func append(row r: Int, of items: EmbeddingWithMetadata, features: [[Int]], evictedKey key: Int? = nil) -> (slot: Int, evicted: Int?) {
        let slot: Int
        var evicted: Int? = nil
        if count == capacity {
            slot = first
            if let key { evicted = meta[key][slot] }
            first = (first + 1) % capacity
        } else {
            slot = (first + count) % capacity
            count += 1
        }
        overwrite(slot: slot, row: r, of: items, features: features)
        return (slot, evicted)
    }

    /// Writes row `r` of `items` into `slot` (in-place refresh).
    mutating func overwrite(slot: Int, row r: Int, of items: EmbeddingWithMetadata, features: [[Int]]) {
        let d = dimension
        items.embeddings.withUnsafeBufferPointer { src in
            rows.withUnsafeMutableBufferPointer { dst in
                guard d > 0 else { return }
                (dst.baseAddress! + slot * d).update(from: src.baseAddress! + r * d, count: d)
            }
        }
        for f in 0..<features.count { meta[f][slot] = features[f][r] }
    }

    /// All stored rows, oldest first, in reused buffers (no allocation once warmed up, provided
    /// the previous result was released).
    mutating func gather() -> EmbeddingWithMetadata {
        let d = dimension, n = count, head = min(n, capacity - first)
        outEmbeddings.reshape(rows: n, columns: d)
        rows.withUnsafeBufferPointer { src in
            outEmbeddings.withUnsafeMutableBufferPointer { dst in
                guard n > 0, d > 0 else { return }
                dst.baseAddress!.update(from: src.baseAddress! + first * d, count: head * d)
                if n > head { (dst.baseAddress! + head * d).update(from: src.baseAddress!, count: (n - head) * d) }
            }
        }
        for (f, name) in featureNames.enumerated() {
            outMetadata[name]!.removeAll(keepingCapacity: true)
            outMetadata[name]!.append(contentsOf: meta[f][first ..< first + head])
            if n > head { outMetadata[name]!.append(contentsOf: meta[f][0 ..< n - head]) }
        }
        return EmbeddingWithMetadata(unchecked: outEmbeddings, metadata: outMetadata)
    }

    /// Forgets all rows (keeps the shape and buffers).
    mutating func clear() { first = 0; count = 0 }
}
