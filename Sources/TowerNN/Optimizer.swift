import TowerCore

/// Updates parameters from their gradients, one call per training step.
///
/// Every optimizer handles both gradient kinds: a dense parameter updates all its values; a
/// sparse parameter (``Parameter/sparseGradient``) updates only its touched rows, and only
/// those rows' optimizer state (momentum, accumulators, moments) — "lazy" updates as in
/// TensorFlow's `LazyAdam`. Per-parameter state is allocated on the first step that sees the
/// parameter and reused afterwards.
public protocol Optimizer: AnyObject {
    /// The learning rate used by the next ``step(_:)`` (overwritten from ``schedule`` if set).
    var learningRate: Float { get set }
    /// When set, each step first sets ``learningRate`` to `schedule.learningRate(atStep: stepCount)`
    /// (the number of steps taken before this one).
    var schedule: (any LearningRateSchedule)? { get set }
    /// Number of steps taken so far (Adam's bias correction uses it, counting this step).
    var stepCount: Int { get }
    /// Applies one update to every parameter from its current gradient.
    func step(_ parameters: [Parameter])
}

/// Optimizer state of one parameter: up to two slots with the shape of its value, in raw
/// storage allocated once (no copy-on-write or exclusivity checks in the update loops).
final class OptimizerSlots {
    let parameter: Parameter   // kept alive so its ObjectIdentifier stays unique
    let count: Int
    let first: UnsafeMutablePointer<Float>?
    let second: UnsafeMutablePointer<Float>?

    init(parameter: Parameter, slotCount: Int, initialValue: Float = 0) {
        self.parameter = parameter
        let n = parameter.value.count
        count = n
        func make() -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(n, 1))
            p.initialize(repeating: 0, count: Swift.max(n, 1))
            return p
        }
        first = slotCount > 0 ? make() : nil
        second = slotCount > 1 ? make() : nil
        if let first { first.update(repeating: initialValue, count: n) }
    }

    deinit {
        first?.deallocate()
        second?.deallocate()
    }
}

/// Per-parameter state keyed by identity.
struct OptimizerState {
    var slots: [ObjectIdentifier: OptimizerSlots] = [:]

    mutating func slots(for parameter: Parameter, count: Int, initialValue: Float = 0) -> OptimizerSlots {
        let key = ObjectIdentifier(parameter)
        if let existing = slots[key] { return existing }
        let created = OptimizerSlots(parameter: parameter, slotCount: count, initialValue: initialValue)
        slots[key] = created
        return created
    }
}

/// Calls `body(count, value, gradient, slotA, slotB)` over the elements an update touches:
/// once for a dense parameter (all of it), once per touched row for a sparse one. `slotA`/`slotB`
/// point at the same offset in the slot storage (`nil` when absent).
@inline(__always)
func forEachUpdateBlock(
    _ parameter: Parameter, _ slots: OptimizerSlots?,
    _ body: (Int, UnsafeMutablePointer<Float>, UnsafePointer<Float>,
             UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?) -> Void
) {
    let d = parameter.columns
    let a = slots?.first, b = slots?.second
    if let slots {
        precondition(slots.count == parameter.value.count,
                     "Optimizer: \"\(parameter.name)\" changed size from \(slots.count) to \(parameter.value.count) values after its first step")
    }
    parameter.value.withUnsafeMutableBufferPointer { w in
        if let sparse = parameter.sparseGradient {
            sparse.withUnsafeRows { rows, g in
                for s in 0..<rows.count {
                    let offset = Int(rows[s]) * d
                    body(d, w.baseAddress! + offset, UnsafePointer(g.baseAddress! + s * d),
                         a.map { $0 + offset }, b.map { $0 + offset })
                }
            }
        } else {
            let n = w.count
            guard n > 0 else { return }
            precondition(parameter.gradient.count == n,
                         "Optimizer: gradient of \"\(parameter.name)\" has \(parameter.gradient.count) values, expected \(n)")
            parameter.gradient.withUnsafeBufferPointer { g in
                body(n, w.baseAddress!, g.baseAddress!, a, b)
            }
        }
    }
}
