import Foundation
import Testing
import TowerCore
@testable import TowerData

/// Random and mutated bytes into every reader: each call returns or throws a DataError; none may
/// crash or hang. Bounded, seeded iterations.
@Suite struct ReaderFuzzTests {
    static let seedText = "userId,movieId,rating,timestamp\n1,10,4.5,100\n\"2\",\"1,1\",3,200\r\n3,\"x\"\"y\",1e0,300\n4,5,2,400"

    func mutate(_ base: [UInt8], _ rng: inout Xoshiro256) -> [UInt8] {
        var b = base
        let alphabet: [UInt8] = Array(",\"\n\r\t:| 0123456789abc".utf8) + [0xEF, 0xBB, 0xBF, 0xC3, 0x28, 0xFF, 0x00]
        for _ in 0..<(1 + Int(rng.next() % 6)) {
            let op = rng.next() % 4
            let pos = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count))
            switch op {
            case 0 where !b.isEmpty: b[pos] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            case 1: b.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: pos)
            case 2 where !b.isEmpty: b.remove(at: pos)
            default: b = Array(b.prefix(pos))
            }
        }
        return b
    }

    func runAllReaders(_ bytes: [UInt8], _ f: Fixtures) {
        let options = [ReadOptions(maxLineBytes: 64), ReadOptions(skipBadLines: true)]
        for o in options {
            expectReturnsOrThrowsDataError { try DelimitedReader.read(path: f.write("fuzz.csv", bytes: bytes), options: o) }
            expectReturnsOrThrowsDataError {
                try DelimitedReader.read(path: f.path("fuzz.csv"), format: .csv,
                                         schema: Schema(user: "userId", item: "movieId", timestamp: "timestamp", rating: "rating",
                                                        userIdKind: .integer, features: [FeatureColumn(name: "g", column: .index(1), target: .item, kind: .multiValued(separator: UInt8(ascii: "|")))]),
                                         options: o)
            }
            expectReturnsOrThrowsDataError { try MovieLensReader.read(path: f.write("u.data", bytes: bytes), options: o) }
            expectReturnsOrThrowsDataError { try MovieLensReader.read(path: f.write("ratings.dat", bytes: bytes), options: o) }
            expectReturnsOrThrowsDataError { try LightGCNReader.read(path: f.write("train.txt", bytes: bytes), options: o) }
        }
    }

    func expectReturnsOrThrowsDataError<T>(_ body: () throws -> T) {
        do { _ = try body() } catch is DataError {} catch { Issue.record("unexpected error \(error)") }
    }

    @Test func mutatedValidFiles() {
        let f = Fixtures("fuzz"); defer { f.remove() }
        var rng = Xoshiro256(seed: 2024)
        let bases = [Array(Self.seedText.utf8), Array("1\t2\t3\t4\n5\t6\t7\t8\n".utf8), Array("1::2::3::4\n".utf8), Array("0 1 2\n1 2 3\n".utf8)]
        for n in 0..<150 { runAllReaders(mutate(bases[n % bases.count], &rng), f) }
    }

    @Test func randomBytes() {
        let f = Fixtures("fuzz"); defer { f.remove() }
        var rng = Xoshiro256(seed: 99)
        for _ in 0..<100 {
            let count = Int(rng.next() % 300)
            runAllReaders((0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, f)
        }
    }
}
