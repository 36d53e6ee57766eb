import Testing
import TowerCore
import TowerNN
import TowerTestSupport

@Suite struct LayerTests {
    @Test(arguments: Activation.allCases)
    func activationGradients(activation: Activation) {
        let layer = ActivationLayer(activation)
        var x = randomMatrix(rows: 3, columns: 7, seed: 40)
        for i in 0..<x.count { x.storage[i] *= 3 }   // cover the saturating ranges too
        checkLayerGradients(layer, input: x, seed: 41)
    }

    @Test func activationValues() {
        let x = Matrix(rows: 1, columns: 3, values: [-1, 0, 2])
        #expect(ActivationLayer(.relu).forward(x, training: false).storage == [0, 0, 2])
        let gelu = ActivationLayer(.gelu).forward(x, training: false).storage
        #expect(abs(gelu[0] - -0.158_655_25) < 1e-6 && gelu[1] == 0 && abs(gelu[2] - 1.954_499_7) < 1e-6)
        let sigmoid = ActivationLayer(.sigmoid).forward(x, training: false).storage
        #expect(abs(sigmoid[0] - 0.268_941_42) < 1e-6 && sigmoid[1] == 0.5)
    }

    @Test func dropoutGradientWithFixedMask() {
        let x = randomMatrix(rows: 4, columns: 9, seed: 50)
        checkLayerGradients(Dropout(rate: 0.4, seed: 7), input: x, seed: 51,
                            forward: { Dropout(rate: 0.4, seed: 7).forward($0, training: true) })
    }

    @Test func dropoutKeepsAndScales() {
        let dropout = Dropout(rate: 0.25, seed: 3)
        let x = Matrix(rows: 100, columns: 101, repeating: 1)
        let y = dropout.forward(x, training: true)
        let kept = y.storage.filter { $0 != 0 }
        #expect(kept.allSatisfy { abs($0 - 1 / 0.75) < 1e-6 })
        let fraction = Double(kept.count) / Double(y.count)
        #expect(abs(fraction - 0.75) < 0.02)
        #expect(dropout.forward(x, training: false) == x)
        // Same seed, same mask; the next call draws a new one.
        let again = Dropout(rate: 0.25, seed: 3)
        #expect(again.forward(x, training: true) == y)
        #expect(again.forward(x, training: true) != y)
    }

    @Test func l2NormalizeGradient() {
        checkLayerGradients(L2Normalize(), input: randomMatrix(rows: 4, columns: 6, seed: 60), seed: 61)
    }

    @Test func l2NormalizeClampedRowsUseConstantNorm() {
        // epsilon = 1: row 0 has ‖x‖² = 2.25 > 1 (normalised), row 1 has ‖x‖² = 0.03 (divided by 1).
        let layer = L2Normalize(epsilon: 1)
        let x = Matrix(rows: 2, columns: 3, values: [1, -1, 0.5, 0.1, 0.1, -0.1])
        let y = layer.forward(x, training: true)
        #expect(maxScaledDifference(y.storage, [1 / 1.5, -1 / 1.5, 0.5 / 1.5, 0.1, 0.1, -0.1]) < 1e-6)
        checkLayerGradients(layer, input: x, seed: 62)
    }

    @Test func l2NormalizeOutputsUnitRows() {
        let y = L2Normalize().forward(randomMatrix(rows: 5, columns: 8, seed: 63), training: false)
        for r in 0..<5 {
            let norm = y.row(r).reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-5)
        }
    }

    @Test(arguments: [Activation.tanh, .relu, .gelu])
    func mlpEndToEnd(activation: Activation) {
        let mlp = MLP(inputSize: 4, hiddenSizes: [6, 5], outputSize: 3, activation: activation,
                      l2Normalize: true, seed: 70)
        #expect(mlp.parameters.count == 6)
        checkLayerGradients(mlp, input: randomMatrix(rows: 3, columns: 4, seed: 71), seed: 72)
    }

    @Test func mlpWithDropoutIsDeterministicAtInference() {
        let mlp = MLP(inputSize: 4, hiddenSizes: [8], outputSize: 2, dropout: 0.5, seed: 80)
        #expect(mlp.layers.count == 3)
        #expect(mlp.layers[1] is Dropout)
        let x = randomMatrix(rows: 5, columns: 4, seed: 81)
        let a = mlp.forward(x, training: false)
        #expect(mlp.forward(x, training: false) == a)
        #expect(mlp.forward(x, training: true) != a)
        let same = MLP(inputSize: 4, hiddenSizes: [8], outputSize: 2, dropout: 0.5, seed: 80)
        #expect(same.forward(x, training: false) == a)
    }

    @Test func sequentialZeroGradients() {
        let mlp = MLP(inputSize: 3, hiddenSizes: [4], outputSize: 2, seed: 90)
        _ = mlp.forward(randomMatrix(rows: 2, columns: 3, seed: 91), training: true)
        _ = mlp.backward(randomMatrix(rows: 2, columns: 2, seed: 92))
        #expect(mlp.parameters.contains { $0.gradient.storage.contains { $0 != 0 } })
        mlp.zeroGradients()
        #expect(mlp.parameters.allSatisfy { $0.gradient.storage.allSatisfy { $0 == 0 } })
    }
}
