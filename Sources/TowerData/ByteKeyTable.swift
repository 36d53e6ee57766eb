import Foundation

/// An open-addressing hash table from byte strings (raw ids) to dense rows `0..<count`, in order
/// of first insertion. Keys of up to 8 bytes are compared as one word; longer keys are kept in a
/// byte arena. Used while reading: no String is made per line, only one per new id.
final class ByteKeyTable {
    private(set) var count = 0
    private var slots: UnsafeMutablePointer<Int32>      // row or -1
    private var slotMask = 0
    private var words: [UInt64] = []                     // per row: packed key (≤ 8 bytes) or hash
    private var lengths: [Int32] = []
    private var arenaOffsets: [Int] = []                 // per row: start in arena (long keys only)
    private var arena: [UInt8] = []

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = .allocate(capacity: size)
        slots.initialize(repeating: -1, count: size)
        slotMask = size - 1
        words.reserveCapacity(capacity)
        lengths.reserveCapacity(capacity)
        arenaOffsets.reserveCapacity(capacity)
    }

    deinit { slots.deallocate() }

    @inline(__always)
    private static func pack(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
        var w: UInt64 = 0
        if n == 8 { return UnsafeRawPointer(p).loadUnaligned(as: UInt64.self) }
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
        let (slot, row) = probe(p, n)
        _ = slot
        return row
    }

    /// The row of the key, inserting it when new (`isNew` tells which).
    @inline(__always)
    func findOrInsert(_ p: UnsafePointer<UInt8>, _ n: Int) -> (row: Int32, isNew: Bool) {
        let (slot, row) = probe(p, n)
        if let row { return (row, false) }
        let newRow = Int32(count)
        if n <= 8 {
            words.append(Self.pack(p, n))
            arenaOffsets.append(-1)
        } else {
            words.append(Self.hashLong(p, n))
            arenaOffsets.append(arena.count)
            arena.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
        }
        lengths.append(Int32(n))
        slots[slot] = newRow
        count += 1
        if count * 2 > slotMask + 1 { grow() }
        return (newRow, true)
    }

    @inline(__always)
    private func probe(_ p: UnsafePointer<UInt8>, _ n: Int) -> (Int, Int32?) {
        let short = n <= 8
        let key = short ? Self.pack(p, n) : Self.hashLong(p, n)
        var slot = Int(truncatingIfNeeded: Self.mix(key ^ UInt64(n) << 56)) & slotMask
        return words.withUnsafeBufferPointer { w in
            lengths.withUnsafeBufferPointer { l in
                while true {
                    let row = slots[slot]
                    if row < 0 { return (slot, nil) }
                    let r = Int(row)
                    if w[r] == key && Int(l[r]) == n {
                        if short || memcmp(p, arenaPointer(r), n) == 0 { return (slot, row) }
                    }
                    slot = (slot + 1) & slotMask
                }
            }
        }
    }

    private func arenaPointer(_ row: Int) -> UnsafeRawPointer {
        arena.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress! + arenaOffsets[row]) }
    }

    private func grow() {
        let size = (slotMask + 1) * 2
        let newSlots = UnsafeMutablePointer<Int32>.allocate(capacity: size)
        newSlots.initialize(repeating: -1, count: size)
        let mask = size - 1
        for r in 0..<count {
            var slot = Int(truncatingIfNeeded: Self.mix(words[r] ^ UInt64(lengths[r]) << 56)) & mask
            while newSlots[slot] >= 0 { slot = (slot + 1) & mask }
            newSlots[slot] = Int32(r)
        }
        slots.deallocate()
        slots = newSlots
        slotMask = mask
    }

    /// The key of `row` as a String (the bytes were validated as UTF-8 on insertion).
    func string(_ row: Int) -> String {
        let n = Int(lengths[row])
        if arenaOffsets[row] < 0 {
            var w = words[row]
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
