import Foundation
import Testing
import TowerCore
import TowerNN
import TowerTestSupport

// Expected values printed by Tests/TowerNNTests/Reference/optimizers.py (NumPy, float64);
// the inputs below are the script's W0, GRADS, T0 and SPARSE.
private let sgdMomentum: [Float] = [0.522105389, -1.00926078, 1.94760357, -0.08622804, 0.34592875, -0.919178159]
private let sgdNesterov: [Float] = [0.53741, -1.05332, 1.97283, -0.07776, 0.36775, -0.98624]
private let sgdPlain: [Float] = [0.515, -1.04, 2.01, -1.38777878e-17, 0.28, -0.83]
private let adagrad: [Float] = [0.52581979, -1.05142458, 1.99878762, -0.0411063837, 0.302489786, -0.863967845]
private let adam: [Float] = [0.497716887, -0.992329185, 1.98530602, -0.0185020232, 0.266127598, -0.771946056]
private let adamW: [Float] = [0.496233434, -0.989354837, 1.97933871, -0.0184727114, 0.265354902, -0.76967293]
private let lazyAdam: [Float] = [0.081714277, 0.217592038, 0.3, 0.4, -0.513456053, 0.581969592, 0.692558635, -0.807441365]
private let lazySGDMomentum: [Float] = [-0.095, 0.495, 0.3, 0.4, -0.5375, 0.39, 0.67, -0.83]
private let lazyAdagrad: [Float] = [-0.0705817004, 0.380408067, 0.3, 0.4, -0.537940187, 0.485922036, 0.631175296, -0.868824704]

private let w0: [Float] = [0.5, -1.0, 2.0, 0.0, 0.25, -0.75]
private let gradients: [[Float]] = [
    [0.1, -0.2, 0.3, 0.4, -0.5, 0.6],
    [-0.3, 0.1, 0.0, 0.2, 0.2, -0.1],
    [0.05, 0.5, -0.4, -0.6, 0.0, 0.3],
]
private let t0: [Float] = [0.1, 0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8]
private let sparseSteps: [[(row: Int, gradient: [Float])]] = [
    [(0, [0.5, -0.5]), (2, [0.25, 1.0])],
    [(2, [-0.1, 0.2]), (3, [0.3, 0.3])],
    [(0, [1.0, -2.0])],
]

/// Runs the three dense steps of the reference script.
private func runDense(_ optimizer: any Optimizer) -> [Float] {
    let p = Parameter(name: "w", value: Matrix(rows: 2, columns: 3, values: w0))
    for g in gradients {
        p.gradient = Matrix(rows: 2, columns: 3, values: g)
        optimizer.step([p])
    }
    #expect(optimizer.stepCount == 3)
    return p.value.storage
}

/// Runs the three sparse steps of the reference script on a 4×2 table.
private func runSparse(_ optimizer: any Optimizer) -> [Float] {
    let p = Parameter(name: "table", value: Matrix(rows: 4, columns: 2, values: t0), sparse: true)
    for step in sparseSteps {
        p.zeroGradient()
        for (row, g) in step { g.withUnsafeBufferPointer { p.sparseGradient!.add(row: row, $0) } }
        optimizer.step([p])
    }
    return p.value.storage
}

@Suite struct OptimizerTests {
    @Test func sgdMatchesReference() {
        #expect(maxScaledDifference(runDense(SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)), sgdMomentum) < 1e-6)
        #expect(maxScaledDifference(runDense(SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)), sgdNesterov) < 1e-6)
        #expect(maxScaledDifference(runDense(SGD(learningRate: 0.1)), sgdPlain) < 1e-6)
    }

    @Test func adagradMatchesReference() {
        #expect(maxScaledDifference(runDense(Adagrad(learningRate: 0.1, initialAccumulator: 0.1, epsilon: 1e-7)), adagrad) < 1e-6)
    }

    @Test func adamAndAdamWMatchReference() {
        #expect(maxScaledDifference(runDense(Adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7)), adam) < 1e-6)
        #expect(maxScaledDifference(runDense(Adam(learningRate: 0.01, epsilon: 1e-7, weightDecay: 0.1)), adamW) < 1e-6)
    }

    @Test func sparseUpdatesTouchOnlyBatchRows() {
        let lazy = runSparse(Adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7))
        #expect(maxScaledDifference(lazy, lazyAdam) < 1e-6)
        let sgd = runSparse(SGD(learningRate: 0.1, momentum: 0.9))
        #expect(maxScaledDifference(sgd, lazySGDMomentum) < 1e-6)
        let ada = runSparse(Adagrad(learningRate: 0.1, initialAccumulator: 0.1, epsilon: 1e-7))
        #expect(maxScaledDifference(ada, lazyAdagrad) < 1e-6)
        // Row 1 is never touched: bit-identical to the start.
        for values in [lazy, sgd, ada] { #expect(Array(values[2..<4]) == Array(t0[2..<4])) }
    }

    @Test func scheduleDrivesLearningRate() {
        let optimizer = SGD(learningRate: 1, schedule: LinearWarmup(warmupSteps: 2, after: ConstantLearningRate(0.5)))
        let p = Parameter(name: "w", value: Matrix(rows: 1, columns: 1, values: [0]))
        p.gradient = Matrix(rows: 1, columns: 1, values: [1])
        var rates: [Float] = []
        for _ in 0..<3 { optimizer.step([p]); rates.append(optimizer.learningRate) }
        #expect(rates == [0.25, 0.5, 0.5])
        #expect(p.value[0, 0] == -1.25)
    }

    @Test func clippingByGlobalNormIncludesSparseRows() {
        let dense = Parameter(name: "d", value: Matrix(rows: 1, columns: 2))
        dense.gradient = Matrix(rows: 1, columns: 2, values: [3, 4])
        let table = Parameter(name: "t", value: Matrix(rows: 10, columns: 2), sparse: true)
        let rowGradient: [Float] = [0, 12]
        rowGradient.withUnsafeBufferPointer { table.sparseGradient!.add(row: 7, $0) }
        // Global norm √(9 + 16 + 144) = 13.
        #expect(clipGradientsByGlobalNorm([dense, table], maxNorm: 20) == 13)
        #expect(dense.gradient.storage == [3, 4])
        #expect(abs(clipGradientsByGlobalNorm([dense, table], maxNorm: 6.5) - 13) < 1e-6)
        #expect(maxScaledDifference(dense.gradient.storage, [1.5, 2]) < 1e-6)
        #expect(maxScaledDifference(table.sparseGradient!.values.storage, [0, 6]) < 1e-6)
        #expect(abs(clipGradientsByGlobalNorm([dense, table], maxNorm: 100) - 6.5) < 1e-5)
    }

    @Test func learningRateSchedules() {
        #expect(ConstantLearningRate(0.3).learningRate(atStep: 1000) == 0.3)
        let smooth = ExponentialDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5)
        #expect(smooth.learningRate(atStep: 0) == 0.1)
        #expect(abs(smooth.learningRate(atStep: 5) - 0.070_710_678) < 1e-7)
        #expect(abs(smooth.learningRate(atStep: 20) - 0.025) < 1e-8)
        let stairs = ExponentialDecay(initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true)
        #expect(stairs.learningRate(atStep: 9) == 0.1)
        #expect(abs(stairs.learningRate(atStep: 10) - 0.05) < 1e-8)
        let warm = LinearWarmup(warmupSteps: 4, after: stairs)
        #expect((0..<4).map { warm.learningRate(atStep: $0) } == [0.025, 0.05, 0.075, 0.1])
        #expect(warm.learningRate(atStep: 4) == 0.1)
        #expect(abs(warm.learningRate(atStep: 14) - 0.05) < 1e-8)
    }
}

/// Cosine and linear decay against their closed forms (Keras `CosineDecay`, `PolynomialDecay`).
@Suite struct DecayScheduleTests {
    @Test func cosineStartsAtTheRateEndsAtTheFloorAndIsHalfWayInTheMiddle() {
        let s = CosineDecay(initialLearningRate: 0.01, finalLearningRate: 0.001, decaySteps: 100)
        #expect(s.learningRate(atStep: 0) == 0.01)
        #expect(abs(s.learningRate(atStep: 50) - 0.0055) < 1e-7)
        #expect(abs(s.learningRate(atStep: 25) - Float(0.001 + 0.009 * 0.5 * (1 + cos(Double.pi / 4)))) < 1e-7)
        #expect(abs(s.learningRate(atStep: 100) - 0.001) < 1e-9)
        #expect(abs(s.learningRate(atStep: 1000) - 0.001) < 1e-9)
    }

    @Test func linearFallsByEqualSteps() {
        let s = LinearDecay(initialLearningRate: 1, finalLearningRate: 0.2, decaySteps: 4)
        let rates = (0...5).map { s.learningRate(atStep: $0) }
        let expected: [Float] = [1, 0.8, 0.6, 0.4, 0.2, 0.2]
        for (r, e) in zip(rates, expected) { #expect(abs(r - e) < 1e-6, "\(rates)") }
    }

    @Test func warmupWrapsADecayChosenAtRunTime() {
        let decay: any LearningRateSchedule = LinearDecay(initialLearningRate: 1, decaySteps: 2)
        let s = LinearWarmup(warmupSteps: 2, after: decay)
        let rates = (0...4).map { s.learningRate(atStep: $0) }
        #expect(rates == [0.5, 1, 1, 0.5, 0])
    }
}
