import Foundation
import TowerCore

/// Seeded random helpers private to TowerData (fixed algorithms, so results do not depend on the
/// standard library's shuffle or random implementations).

/// A uniform integer in `0..<n` (Lemire's multiply-shift; bias < n / 2^64).
@inline(__always)
func uniformIndex(_ n: Int, _ rng: inout Xoshiro256) -> Int {
    Int(truncatingIfNeeded: UInt64(n).multipliedFullWidth(by: rng.next()).high)
}

/// A uniform Double in `[0, 1)` with 53 random bits.
@inline(__always)
func uniformDouble(_ rng: inout Xoshiro256) -> Double {
    Double(rng.next() >> 11) * 0x1.0p-53
}

/// A uniform Float in `(0, 1)` (never 0, so logarithms are finite).
@inline(__always)
func uniformOpenFloat(_ rng: inout Xoshiro256) -> Float {
    (Float(rng.next() >> 40) + 0.5) * 0x1.0p-24
}

/// A standard normal draw (Box–Muller, one value per call).
@inline(__always)
func standardNormal(_ rng: inout Xoshiro256) -> Double {
    let u1 = (Double(rng.next() >> 11) + 0.5) * 0x1.0p-53
    let u2 = Double(rng.next() >> 11) * 0x1.0p-53
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
}

/// Fisher–Yates shuffle of `array` in place.
func fisherYatesShuffle<T>(_ array: inout [T], _ rng: inout Xoshiro256) {
    var i = array.count - 1
    while i > 0 {
        let j = uniformIndex(i + 1, &rng)
        array.swapAt(i, j)
        i -= 1
    }
}

/// Walker's alias table: O(1) draws from a fixed discrete law.
struct AliasTable: Sendable {
    private(set) var probability: [Float]
    private(set) var alias: [Int32]

    /// A table for the (unnormalised, non-negative) `weights`.
    init(weights: [Double]) {
        let n = weights.count
        precondition(n > 0, "AliasTable: no weights")
        let total = weights.reduce(0, +)
        precondition(total > 0, "AliasTable: weights sum to \(total)")
        var scaled = weights.map { $0 * Double(n) / total }
        probability = [Float](repeating: 1, count: n)
        alias = (0..<Int32(n)).map { $0 }
        var small: [Int] = [], large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast(), let l = large.last {
            probability[s] = Float(scaled[s])
            alias[s] = Int32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 { large.removeLast(); small.append(l) }
        }
    }

    @inline(__always)
    func draw(_ rng: inout Xoshiro256) -> Int {
        let r = rng.next()
        let i = Int(truncatingIfNeeded: UInt64(probability.count).multipliedFullWidth(by: r).high)
        let u = Float(r & 0xFF_FFFF) * 0x1.0p-24
        return u < probability[i] ? i : Int(alias[i])
    }
}
