import Testing
import TowerCore
import TowerNN
import TowerTestSupport

/// `L = Σ w ⊙ y`, accumulated in Double: the random projection loss of the gradient checks.
func projectionLoss(_ y: Matrix, _ w: Matrix) -> Double {
    precondition(y.rows == w.rows && y.columns == w.columns)
    var total: Double = 0
    for i in 0..<y.count { total += Double(y.storage[i]) * Double(w.storage[i]) }
    return total
}

/// Central differences `(L(v + h) − L(v − h)) / 2h` for each of `count` scalars reached by
/// `get`/`set`.
func numericGradient(count: Int, step h: Float, get: (Int) -> Float, set: (Int, Float) -> Void,
                     loss: () -> Double) -> [Double] {
    (0..<count).map { i in
        let original = get(i)
        set(i, original + h)
        let plus = loss()
        set(i, original - h)
        let minus = loss()
        set(i, original)
        return (plus - minus) / Double(2 * h)
    }
}

/// Expects `|analytic − numeric| <= 3e-3 + 1e-2·|numeric|` elementwise.
func expectGradientsClose(_ analytic: [Float], _ numeric: [Double], _ what: String,
                          sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(analytic.count == numeric.count, "\(what): \(analytic.count) vs \(numeric.count) values",
            sourceLocation: sourceLocation)
    var worst = 0.0, worstIndex = -1
    for i in 0..<min(analytic.count, numeric.count) {
        let excess = abs(Double(analytic[i]) - numeric[i]) - (3e-3 + 1e-2 * abs(numeric[i]))
        if excess > worst { worst = excess; worstIndex = i }
    }
    #expect(worstIndex < 0,
            "\(what): gradient mismatch at \(worstIndex): analytic \(worstIndex >= 0 ? analytic[worstIndex] : 0), numeric \(worstIndex >= 0 ? numeric[worstIndex] : 0)",
            sourceLocation: sourceLocation)
}

/// Checks a layer's `backward` against central differences of `L = Σ w ⊙ forward(x)` for the
/// input and every (dense) parameter.
/// - Parameter forward: how to evaluate the loss's forward pass (default: the layer's training
///   forward); Dropout passes a fresh, identically seeded layer so the mask stays fixed.
func checkLayerGradients(_ layer: any Layer, input: Matrix, seed: UInt64, step: Float = 2e-3,
                         forward: ((Matrix) -> Matrix)? = nil,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    let evaluate = forward ?? { layer.forward($0, training: true) }
    let y = layer.forward(input, training: true)
    let w = randomMatrix(rows: y.rows, columns: y.columns, seed: seed)
    let inputGradient = layer.backward(w).storage
    let parameterGradients = layer.parameters.map { $0.gradient.storage }

    var x = input
    let numericInput = numericGradient(
        count: x.count, step: step, get: { x.storage[$0] }, set: { x.storage[$0] = $1 },
        loss: { projectionLoss(evaluate(x), w) })
    expectGradientsClose(inputGradient, numericInput, "input", sourceLocation: sourceLocation)

    for (parameter, analytic) in zip(layer.parameters, parameterGradients) {
        let numeric = numericGradient(
            count: parameter.value.count, step: step,
            get: { parameter.value.storage[$0] }, set: { parameter.value.storage[$0] = $1 },
            loss: { projectionLoss(evaluate(input), w) })
        expectGradientsClose(analytic, numeric, parameter.name, sourceLocation: sourceLocation)
    }
}

/// The address of a matrix's storage (to check that buffers are reused, not reallocated).
func storageAddress(_ m: Matrix) -> Int {
    m.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) }
}
