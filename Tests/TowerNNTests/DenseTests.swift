import Testing
import TowerCore
import TowerNN
import TowerTestSupport

@Suite struct DenseTests {
    @Test(arguments: Activation.allCases)
    func gradientsMatchFiniteDifferences(activation: Activation) {
        let dense = Dense(inputSize: 5, outputSize: 4, activation: activation, seed: 11)
        // A non-zero bias so the bias gradient path is exercised with a shifted pre-activation.
        for j in 0..<4 { dense.bias.value[0, j] = 0.1 * Float(j) - 0.15 }
        checkLayerGradients(dense, input: randomMatrix(rows: 3, columns: 5, seed: 21), seed: 31)
    }

    @Test func forwardIsAffineMapWithRowMajorWeights() {
        var rng = Xoshiro256(seed: 1)
        let dense = Dense(inputSize: 2, outputSize: 3, rng: &rng)
        dense.weight.value = Matrix(rows: 2, columns: 3, values: [1, 2, 3, 4, 5, 6])
        dense.bias.value = Matrix(rows: 1, columns: 3, values: [0.5, -0.5, 1])
        let y = dense.forward(Matrix(rows: 2, columns: 2, values: [1, 0, 1, -1]), training: false)
        // Row 0: x = [1, 0] → W row 0 + b; row 1: x = [1, -1] → W row 0 − W row 1 + b.
        #expect(y.storage == [1.5, 1.5, 4, -2.5, -3.5, -2])
    }

    @Test func backwardOverwritesParameterGradients() {
        let dense = Dense(inputSize: 3, outputSize: 2, activation: .tanh, seed: 2)
        let x = randomMatrix(rows: 4, columns: 3, seed: 3)
        let g = randomMatrix(rows: 4, columns: 2, seed: 4)
        _ = dense.forward(x, training: true)
        _ = dense.backward(g)
        let first = dense.weight.gradient
        _ = dense.forward(x, training: true)
        _ = dense.backward(g)
        #expect(dense.weight.gradient == first)
        dense.zeroGradients()
        #expect(dense.weight.gradient.storage.allSatisfy { $0 == 0 })
        #expect(dense.bias.gradient.storage.allSatisfy { $0 == 0 })
    }

    @Test func buffersAreReusedAcrossBatchSizes() {
        let dense = Dense(inputSize: 6, outputSize: 5, activation: .gelu, seed: 5)
        let big = randomMatrix(rows: 8, columns: 6, seed: 6)
        let small = randomMatrix(rows: 3, columns: 6, seed: 7)
        let g8 = randomMatrix(rows: 8, columns: 5, seed: 8)
        let g3 = randomMatrix(rows: 3, columns: 5, seed: 9)
        let a0 = storageAddress(dense.forward(big, training: true))
        let b0 = storageAddress(dense.backward(g8))
        #expect(storageAddress(dense.forward(small, training: true)) == a0)
        #expect(storageAddress(dense.backward(g3)) == b0)
        #expect(storageAddress(dense.forward(big, training: true)) == a0)
        #expect(storageAddress(dense.backward(g8)) == b0)
    }

    @Test func initializersAreSeededAndScaled() {
        var a = Xoshiro256(seed: 42), b = Xoshiro256(seed: 42)
        let glorot = Initializer.glorotUniform.matrix(rows: 100, columns: 50, using: &a)
        #expect(glorot == Initializer.glorotUniform.matrix(rows: 100, columns: 50, using: &b))
        let limit = (6.0 / 150.0).squareRoot()
        #expect(glorot.storage.allSatisfy { abs(Double($0)) <= limit })

        let he = Initializer.heNormal.matrix(rows: 200, columns: 100, using: &a)
        let variance = he.storage.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(he.count)
        #expect(abs(variance.squareRoot() - (2.0 / 200).squareRoot()) < 0.005)

        let truncated = Initializer.truncatedNormal(standardDeviation: 0.05).matrix(rows: 100, columns: 100, using: &a)
        #expect(truncated.storage.allSatisfy { abs($0) <= 0.1 })
        #expect(truncated.storage.contains { abs($0) > 0.05 })
    }
}
