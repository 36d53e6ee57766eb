import Foundation

/// An open-addressing hash table from byte strings (raw ids) to dense rows `0..<count`, in order
/// of first insertion. Keys of up to 8 bytes are compared as one word; longer keys are kept in a
/// byte arena. Used while reading: no String is made per line, only one per new id.
final class ByteKeyTable {
    /// One slot: the packed key (≤ 8 bytes) or the key's hash (longer keys), its length and row.
    struct Slot {
        var key: UInt64
        var length: Int32
        var row: Int32      // -1: empty
    }

    @exclusivity(unchecked) private(set) var count = 0
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<Slot>
    @exclusivity(unchecked) private var slotMask = 0
    @exclusivity(unchecked) private var rowKeys: [UInt64] = []                   // per row: packed key or hash
    @exclusivity(unchecked) private var lengths: [Int32] = []
    @exclusivity(unchecked) private var arenaOffsets: [Int] = []                 // per row: start in arena (long keys only)
    @exclusivity(unchecked) private var arena: [UInt8] = []

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = .allocate(capacity: size)
        slots.initialize(repeating: Slot(key: 0, length: 0, row: -1), count: size)
        slotMask = size - 1
        rowKeys.reserveCapacity(capacity)
        lengths.reserveCapacity(capacity)
        arenaOffsets.reserveCapacity(capacity)
    }

    deinit { slots.deallocate() }

    @inline(__always)
    private static func pack(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        if n == 8 { return UnsafeRawPointer(p).loadUnaligned(as: UInt64.self) }
        var w: UInt64 = 0
        var i = 0
        while i < n { w |= UInt64(p[i]) << (8 * UInt64(i)); i += 1 }
        return w
    }

    @inline(__always)
    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return z ^ (z >> 32)
    }

    @inline(__always)
    private static func hashLong(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(n)
        var i = 0
        while i + 8 <= n {
            h = mix(h ^ UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            i += 8
        }
        if i < n { h = mix(h ^ pack(p + i, n - i) ^ 0xFF) }
        return h
    }

    /// The row of the key, or nil.
    @inline(__always)
    func find(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        let (slot, key) = probe(p, n)
        let row = slots[slot].row
        _ = key
        return row >= 0 ? row : nil
    }

    /// The row of the key, inserting it when new (`isNew` tells which).
    @inline(__always)
    func findOrInsert(_ p: UnsafePointer<UInt8>, _ n: Int) -> (row: Int32, isNew: Bool) {
        let (slot, key) = probe(p, n)
        let row = slots[slot].row
        if row >= 0 { return (row, false) }
        return (insert(p, n, slot: slot, key: key), true)
    }

    private func insert(_ p: UnsafePointer<UInt8>, _ n: Int, slot: Int, key: UInt64) -> Int32 {
        let newRow = Int32(count)
        rowKeys.append(key)
        if n <= 8 {
            arenaOffsets.append(-1)
        } else {
            arenaOffsets.append(arena.count)
            arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        }
        lengths.append(Int32(n))
        slots[slot] = Slot(key: key, length: Int32(n), row: newRow)
        count += 1
        if count * 2 > slotMask + 1 { grow() }
        return newRow
    }

    @inline(__always)
    private func probe(_ p: UnsafePointer<UInt8>, _ n: Int) -> (slot: Int, key: UInt64) {
        let short = n <= 8
        let key = short ? Self.pack(p, n) : Self.hashLong(p, n)
        let mask = slotMask
        let table = slots
        var slot = Int(truncatingIfNeeded: Self.mix(key ^ UInt64(n) << 56)) & mask
        while true {
            let s = table[slot]
            if s.row < 0 { return (slot, key) }
            if s.key == key && Int(s.length) == n {
                if short || equalsLong(Int(s.row), p, n) { return (slot, key) }
            }
            slot = (slot + 1) & mask
        }
    }

    private func equalsLong(_ row: Int, _ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        arena.withUnsafeBufferPointer { memcmp(p, $0.baseAddress! + arenaOffsets[row], n) == 0 }
    }

    private func grow() {
        let size = (slotMask + 1) * 2
        let newSlots = UnsafeMutablePointer<Slot>.allocate(capacity: size)
        newSlots.initialize(repeating: Slot(key: 0, length: 0, row: -1), count: size)
        let mask = size - 1
        for r in 0..<count {
            var slot = Int(truncatingIfNeeded: Self.mix(rowKeys[r] ^ UInt64(lengths[r]) << 56)) & mask
            while newSlots[slot].row >= 0 { slot = (slot + 1) & mask }
            newSlots[slot] = Slot(key: rowKeys[r], length: lengths[r], row: Int32(r))
        }
        slots.deallocate()
        slots = newSlots
        slotMask = mask
    }

    /// The key of `row` as a String (the bytes were validated as UTF-8 on insertion).
    func string(_ row: Int) -> String {
        let n = Int(lengths[row])
        if arenaOffsets[row] < 0 {
            var w = rowKeys[row]
            return withUnsafeBytes(of: &w) { String(decoding: $0.prefix(n), as: UTF8.self) }
        }
        return arena.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[arenaOffsets[row] ..< arenaOffsets[row] + n]), as: UTF8.self)
        }
    }

    /// A table holding `ids` in order (rows equal to their positions).
    convenience init(ids: [String]) {
        self.init(capacity: max(16, ids.count))
        for id in ids {
            var s = id
            s.withUTF8 { b in
                _ = findOrInsert(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, b.count)
            }
        }
    }
}
