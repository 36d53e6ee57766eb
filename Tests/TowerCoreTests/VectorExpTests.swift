import Foundation
import Testing
import TowerCore

@Suite struct VectorExpTests {
    static let kernels: [ExpKernel] = [.automatic, .portable, .avx2, .avx512]

    /// Largest relative error of `vectorExp` against Double `exp` over `inputs`.
    static func maxRelativeError(_ inputs: [Float], kernel: ExpKernel) -> Double {
        let outputs = vectorExp(inputs, kernel: kernel)
        var worst = 0.0
        for (x, y) in zip(inputs, outputs) {
            let reference = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(y) - reference) / reference)
        }
        return worst
    }

    @Test(arguments: kernels)
    func denseSweepAccuracy(kernel: ExpKernel) {
        // 2^20 evenly spaced points over the whole normal-result range, plus its ends.
        let low: Float = -87.33, high: Float = 88.72
        let count = 1 << 20
        var inputs = (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) }
        inputs += [-87.3365, 88.7228, 0, -0.0, 1e-8, -1e-8, 0.3465736, -0.3465736, 88.0, -87.0, 88.5, 88.72283]
        let error = Self.maxRelativeError(inputs, kernel: kernel)
        #expect(error <= 2e-7, "max relative error \(error)")
    }

    @Test(arguments: kernels)
    func smallArgumentsAndRandomInputsAreAccurate(kernel: ExpKernel) {
        // Near zero the result must be 1 + x to full precision, and random inputs of every scale.
        var rng = Xoshiro256(seed: 7)
        var inputs: [Float] = (0..<50_000).map { _ in Float.random(in: -1..<1, using: &rng) }
        inputs += (0..<50_000).map { _ in Float.random(in: -1e-3..<1e-3, using: &rng) }
        inputs += (0..<50_000).map { _ in Float.random(in: -87..<88, using: &rng) }
        let error = Self.maxRelativeError(inputs, kernel: kernel)
        #expect(error <= 2e-7, "max relative error \(error)")
    }

    @Test(arguments: kernels)
    func edgeValues(kernel: ExpKernel) {
        let inputs: [Float] = [
            -.infinity, .infinity, .nan, -.greatestFiniteMagnitude, .greatestFiniteMagnitude,
            -1e30, 1e30, -1000, 1000, -87.34, -88, -104, 88.73, 89, 0,
        ]
        let y = vectorExp(inputs, kernel: kernel)
        #expect(y[0] == 0)
        #expect(y[1] == .infinity)
        #expect(y[2].isNaN)
        #expect(y[3] == 0 && y[4] == .infinity)
        #expect(y[5] == 0 && y[6] == .infinity)
        #expect(y[7] == 0 && y[8] == .infinity)
        #expect(y[9] == 0 && y[10] == 0 && y[11] == 0, "below ln(Float.leastNormalMagnitude) flushes to 0")
        #expect(y[12] == .infinity && y[13] == .infinity)
        #expect(y[14] == 1)
        // Just inside the ends the result is finite, normal and accurate.
        let ends = vectorExp([Float(-87.3365), Float(88.7228)], kernel: kernel)
        #expect(ends[0].isNormal && ends[1].isFinite)
        #expect(abs(Double(ends[1]) - Foundation.exp(Double(Float(88.7228)))) / Foundation.exp(Double(Float(88.7228))) <= 2e-7)
    }

    @Test(arguments: kernels, [1, 7, 8, 9, 15, 16, 17, 33, 127])
    func oddLengthsInPlaceAndShiftedSum(kernel: ExpKernel, count: Int) {
        var rng = Xoshiro256(seed: UInt64(count))
        let inputs: [Float] = (0..<count).map { _ in Float.random(in: -20..<20, using: &rng) }
        var values = inputs
        values.withUnsafeMutableBufferPointer { vectorExp(inPlace: $0, kernel: kernel) }
        for i in 0..<count {
            let reference = Foundation.exp(Double(inputs[i]))
            #expect(abs(Double(values[i]) - reference) <= 2e-7 * reference, "element \(i) of \(count)")
        }
        // Shifted form: terms and their sum; the sum must not include lanes past the end.
        let shift: Float = 3.5
        var terms = [Float](repeating: -1, count: count)
        let sum = inputs.withUnsafeBufferPointer { x in
            terms.withUnsafeMutableBufferPointer { vectorExp(x, subtracting: shift, into: $0, kernel: kernel) }
        }
        let sumOnly = inputs.withUnsafeBufferPointer { vectorExp($0, subtracting: shift, into: nil, kernel: kernel) }
        var referenceSum = 0.0
        for i in 0..<count {
            let reference = Foundation.exp(Double(inputs[i] - shift))
            referenceSum += reference
            #expect(abs(Double(terms[i]) - reference) <= 2e-7 * reference, "term \(i) of \(count)")
        }
        #expect(abs(Double(sum) - referenceSum) <= 1e-6 * referenceSum)
        #expect(sum == sumOnly)
    }

    @Test func kernelsAgreeClosely() {
        var rng = Xoshiro256(seed: 11)
        let inputs: [Float] = (0..<4099).map { _ in Float.random(in: -90..<90, using: &rng) }
        let b = vectorExp(inputs, kernel: .portable)
        // AVX2 and AVX-512 run the same FMA sequence lane by lane: identical bits.
        #expect(vectorExp(inputs, kernel: .avx2) == vectorExp(inputs, kernel: .avx512))
        let a = vectorExp(inputs, kernel: .automatic)
        for i in inputs.indices {
            // Both are within 2e-7 of the truth, so within 4e-7 of each other (FMA vs no FMA).
            #expect(a[i] == b[i] || abs(a[i] - b[i]) <= 4e-7 * max(a[i], b[i]), "element \(i): \(inputs[i])")
        }
    }
}
