import Foundation
import Testing
import TowerCore
@testable import TowerData

/// The numeric field parsers take any byte string: overflow, underflow, long mantissas and many
/// digits give a correctly rounded value or nil, never a crash (issue 11, item 1).
@Suite struct NumberParsingTests {
    func double(_ s: String) -> Double? {
        let b = Array(s.utf8)
        return b.withUnsafeBufferPointer { FieldParsing.double($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
    }

    func float(_ s: String) -> Float? {
        let b = Array(s.utf8)
        return b.withUnsafeBufferPointer { FieldParsing.float($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
    }

    func int64(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        return b.withUnsafeBufferPointer { FieldParsing.int64($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
    }

    @Test func overflowIsNilNotACrash() {
        for s in ["1e400", "-1e400", "1e309", "9e99999999999999999999", "1" + String(repeating: "0", count: 400),
                  "0.1e400", String(repeating: "9", count: 5000) + "e300"] {
            #expect(double(s) == nil, "\(s.prefix(40))")
            #expect(float(s) == nil, "\(s.prefix(40))")
        }
        // Finite as a Double, beyond Float's range: the rating parser refuses it.
        #expect(double("1e39") == 1e39)
        #expect(float("1e39") == nil)
        #expect(float("3.4028235e38") == Float.greatestFiniteMagnitude)
    }

    @Test func underflowRoundsToZeroOrSubnormal() {
        #expect(double("1e-400") == 0)
        #expect(double("-1e-400")?.sign == .minus)
        #expect(double("1e-99999999999999999") == 0)
        #expect(double("4.9406564584124654e-324") == Double.leastNonzeroMagnitude)
        #expect(float("1e-50") == 0)
        #expect(float("1.4e-45") == Float.leastNonzeroMagnitude)
        #expect(double("0." + String(repeating: "0", count: 500) + "1e400") == 1e-101)
    }

    @Test func longMantissasRoundCorrectly() {
        let pi = "3.14159265358979323846264338327950288419716939937510582097494459"
        #expect(double(pi) == Double.pi)
        #expect(float(pi) == Float(pi))  // Float.pi rounds toward zero; the parser to nearest
        #expect(double(String(repeating: "1", count: 300)) == Double(String(repeating: "1", count: 300)))
        #expect(double("0." + String(repeating: "3", count: 2000)) == Double("0." + String(repeating: "3", count: 2000)))
        // The halfway case between two Floats that double rounding through Double gets wrong.
        let halfway = "1.00000005960464477539062500000000000000000001"
        #expect(float(halfway) == Float(halfway))
    }

    @Test func integerFieldsRejectOverflowAndJunk() {
        #expect(int64("9223372036854775807") == .max)
        #expect(int64("-9223372036854775808") == .min)
        #expect(int64("9223372036854775808") == nil)
        #expect(int64("99999999999999999999") == nil)
        #expect(int64(String(repeating: "9", count: 1000)) == nil)
        #expect(int64("1e3") == nil)
        #expect(int64("") == nil)
        #expect(int64("-") == nil)
    }

    @Test func rejectsNonDecimalSyntax() {
        for s in ["", "+", "-", ".", "e5", "1e", "1e+", "inf", "nan", "NaN", "0x1p3", "1..2", "1e5.5", "--1", "1 2", "١"] {
            #expect(double(s) == nil, "\(s)")
            #expect(float(s) == nil, "\(s)")
        }
    }

    /// Random strings over the decimal alphabet: each parser agrees with `Double(String)` /
    /// `Float(String)` bit for bit wherever that gives a finite value, and is nil elsewhere.
    @Test func agreesWithSwiftParsingOnRandomStrings() {
        var rng = Xoshiro256(seed: 11)
        let alphabet = Array("0123456789.eE+-".utf8)
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        var compared = 0
        for k in 0..<20_000 {
            var s: [UInt8]
            if k % 2 == 0 {
                s = (0..<(1 + pick(30))).map { _ in alphabet[pick(alphabet.count)] }
            } else {
                // Well-formed numbers: sign, digits, fraction, exponent of any size.
                s = []
                if pick(3) == 0 { s.append(pick(2) == 0 ? 0x2D : 0x2B) }
                for _ in 0..<pick(k % 10 == 1 ? 60 : 12) { s.append(0x30 + UInt8(pick(10))) }
                if pick(2) == 0 { s.append(0x2E); for _ in 0..<pick(25) { s.append(0x30 + UInt8(pick(10))) } }
                if pick(2) == 0 {
                    s.append(pick(2) == 0 ? 0x65 : 0x45)
                    if pick(2) == 0 { s.append(0x2D) }
                    for _ in 0..<(1 + pick(4)) { s.append(0x30 + UInt8(pick(10))) }
                }
            }
            let text = String(decoding: s, as: UTF8.self)
            let refDouble = Double(text).flatMap { $0.isFinite ? $0 : nil }
            let refFloat = Float(text).flatMap { $0.isFinite ? $0 : nil }
            let d = double(text), f = float(text)
            #expect(d?.bitPattern == refDouble?.bitPattern, "\(text)")
            #expect(f?.bitPattern == refFloat?.bitPattern, "\(text)")
            if refDouble != nil { compared += 1 }
        }
        #expect(compared > 5_000)
    }

    @Test func outOfRangeRatingIsALineErrorInEveryReader() throws {
        let f = Fixtures(); defer { f.remove() }
        let ml = f.write("ratings.csv", "userId,movieId,rating,timestamp\n1,2,4,964982700\n1,1,1e400,964982703\n")
        let e = dataError { try MovieLensReader.read(path: ml) }
        #expect(e == .invalidField(file: f.path("ratings.csv"), line: 3, column: "rating",
                                   expected: "a decimal number within ±3.4e38", found: "1e400"))
        let skipped = try MovieLensReader.read(path: ml, options: ReadOptions(skipBadLines: true))
        #expect(skipped.log.count == 1)
        #expect(skipped.report.skippedLines == 1)

        let udata = f.write("u.data", "1\t2\t3\t881250949\n1\t3\t1e400\t881250950\n")
        #expect(dataError { try MovieLensReader.read(path: udata) }
                == .invalidField(file: f.path("u.data"), line: 2, column: "column 3", expected: "a decimal number within ±3.4e38", found: "1e400"))
        let csv = f.write("r.csv", "user_id,item_id,score\na,b,1e-400\na,c,1e39\n")
        #expect(dataError { try DelimitedReader.read(path: csv, schema: Schema(rating: "score")) }
                == .invalidField(file: f.path("r.csv"), line: 3, column: "score", expected: "a decimal number within ±3.4e38", found: "1e39"))
    }
}
