import TowerCore

/// Maps negative ids to their columns for false-negative detection: open addressing over the
/// distinct ids, with per-column chains in ascending column order. Rebuilt per step in O(N);
/// buffers grow to the largest N seen and are then reused.
struct FalseNegativeIndex {
    private var slotKeys: [Int] = []
    private var slotHead: [Int32] = []
    private var next: [Int32] = []
    private var mask = 0

    mutating func build(_ ids: UnsafeBufferPointer<Int>) {
        let n = ids.count
        var size = 16
        while size < 2 * max(n, 1) { size <<= 1 }
        if slotHead.count != size {
            slotKeys = [Int](repeating: 0, count: size)
            slotHead = [Int32](repeating: -1, count: size)
        } else {
            slotHead.withUnsafeMutableBufferPointer { $0.update(repeating: -1) }
        }
        if next.count < n { next = [Int32](repeating: -1, count: n) }
        mask = size - 1
        for col in stride(from: n - 1, through: 0, by: -1) {
            let id = ids[col]
            var s = hashIndex(id, mask: mask)
            while slotHead[s] >= 0 && slotKeys[s] != id { s = (s + 1) & mask }
            slotKeys[s] = id
            next[col] = slotHead[s]
            slotHead[s] = Int32(col)
        }
    }

    /// Calls `body` with each column whose id is `id`, ascending.
    @inline(__always)
    func forEachColumn(of id: Int, _ body: (Int32) -> Void) {
        var s = hashIndex(id, mask: mask)
        while slotHead[s] >= 0 {
            if slotKeys[s] == id {
                var c = slotHead[s]
                while c >= 0 { body(c); c = next[Int(c)] }
                return
            }
            s = (s + 1) & mask
        }
    }
}
