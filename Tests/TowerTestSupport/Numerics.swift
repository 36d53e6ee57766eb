import TowerCore

/// Largest `|a − b| / max(1, |a|, |b|)` over two equally long arrays (∞ if the lengths differ).
public func maxScaledDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    var worst: Float = 0
    for i in a.indices {
        let scale = max(1, abs(a[i]), abs(b[i]))
        let d = abs(a[i] - b[i]) / scale
        if d.isNaN { return .infinity }
        worst = max(worst, d)
    }
    return worst
}

/// A matrix of uniform values in `[-1, 1)` from a seeded generator.
public func randomMatrix(rows: Int, columns: Int, seed: UInt64) -> Matrix {
    var rng = Xoshiro256(seed: seed)
    return Matrix(rows: rows, columns: columns,
                  values: (0..<(rows * columns)).map { _ in Float.random(in: -1..<1, using: &rng) })
}

/// A fresh temporary directory for one test.
public func temporaryDirectory(_ name: String = "twotower-test") -> String {
    var rng = SystemRandomNumberGenerator()
    let path = "/tmp/\(name)-\(rng.next() & 0xFFFF_FFFF)"
    return path
}
