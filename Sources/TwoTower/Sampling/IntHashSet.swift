/// A small open-addressing set of `Int`, cleared in O(1) by a generation stamp; no allocation
/// after construction as long as at most `maxElements` are inserted between clears.
struct IntHashSet {
    private var keys: [Int]
    private var stamps: [UInt32]
    private var generation: UInt32 = 1
    private let mask: Int

    init(maxElements: Int) {
        var size = 16
        while size < 2 * max(1, maxElements) { size <<= 1 }
        keys = [Int](repeating: 0, count: size)
        stamps = [UInt32](repeating: 0, count: size)
        mask = size - 1
    }

    mutating func removeAll() {
        generation &+= 1
        if generation == 0 {
            for i in stamps.indices { stamps[i] = 0 }
            generation = 1
        }
    }

    /// Inserts `key`; `false` when it was already present.
    mutating func insert(_ key: Int) -> Bool {
        var i = hashIndex(key, mask: mask)
        while stamps[i] == generation {
            if keys[i] == key { return false }
            i = (i + 1) & mask
        }
        stamps[i] = generation
        keys[i] = key
        return true
    }
}

/// Bucket of `key` in a power-of-two table (SplitMix64 finaliser).
@inline(__always)
func hashIndex(_ key: Int, mask: Int) -> Int {
    var z = UInt64(bitPattern: Int64(key)) &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return Int(truncatingIfNeeded: z ^ (z >> 31)) & mask
}
