import TowerCore

/// Everything an optimizer carries from step to step, for a checkpoint that resumes training
/// exactly: the step counter (which also fixes the learning-rate schedule's position), the
/// current learning rate and every parameter's slots (Adam's first and second moments, Adagrad's
/// accumulators, SGD's velocity), `[rows · columns]` Float each, keyed `"<parameter>/<slot>"`.
/// A parameter no step has touched yet has no slots.
public struct OptimizerCheckpoint: Sendable, Equatable {
    public var stepCount: Int
    public var learningRate: Float
    public var slots: [String: [Float]]

    public init(stepCount: Int, learningRate: Float, slots: [String: [Float]]) {
        self.stepCount = stepCount
        self.learningRate = learningRate
        self.slots = slots
    }
}

/// An optimizer whose state can be saved and put back (``Adam``, ``Adagrad``, ``SGD``).
public protocol ResumableOptimizer: Optimizer {
    /// The names of the slots each parameter holds, in order (e.g. `["m", "v"]`).
    var slotNames: [String] { get }
    /// The state for `parameters` (the list the optimizer steps).
    func checkpoint(_ parameters: [Parameter]) -> OptimizerCheckpoint
    /// Puts `checkpoint` back: the next ``Optimizer/step(_:)`` is the one the saved optimizer
    /// would have taken.
    /// - Throws: ``OptimizerCheckpointError`` naming the slot whose size does not match its
    ///   parameter, or a slot of a parameter that is not in `parameters`.
    func restore(_ checkpoint: OptimizerCheckpoint, parameters: [Parameter]) throws
}

/// A saved optimizer state that does not fit the parameters.
public struct OptimizerCheckpointError: Error, CustomStringConvertible, Equatable {
    /// The slot key (`"<parameter>/<slot>"`).
    public var slot: String
    public var reason: String
    public var description: String { "optimizer slot \(slot): \(reason)" }
}

extension OptimizerState {
    func exported(_ parameters: [Parameter], names: [String]) -> [String: [Float]] {
        var out: [String: [Float]] = [:]
        for p in parameters {
            guard let s = slots[ObjectIdentifier(p)] else { continue }
            for (k, pointer) in [s.first, s.second].enumerated() where k < names.count {
                if let pointer { out["\(p.name)/\(names[k])"] = Array(UnsafeBufferPointer(start: pointer, count: s.count)) }
            }
        }
        return out
    }

    mutating func restore(_ saved: [String: [Float]], parameters: [Parameter], names: [String], initialValue: Float) throws {
        let known = Set(parameters.flatMap { p in names.map { "\(p.name)/\($0)" } })
        if let stray = saved.keys.sorted().first(where: { !known.contains($0) }) {
            throw OptimizerCheckpointError(slot: stray, reason: "no such parameter or slot (the slots are \(names.joined(separator: ", ")))")
        }
        slots.removeAll()
        for p in parameters {
            let values = names.map { saved["\(p.name)/\($0)"] }
            if values.allSatisfy({ $0 == nil }) { continue }  // not touched yet
            let s = slots(for: p, count: names.count, initialValue: initialValue)
            for (k, pointer) in [s.first, s.second].enumerated() where k < names.count {
                let key = "\(p.name)/\(names[k])"
                guard let v = values[k] else { throw OptimizerCheckpointError(slot: key, reason: "missing (its parameter's other slots are saved)") }
                guard v.count == s.count else {
                    throw OptimizerCheckpointError(slot: key, reason: "\(v.count) values, the parameter has \(s.count)")
                }
                v.withUnsafeBufferPointer { pointer!.update(from: $0.baseAddress!, count: v.count) }
            }
        }
    }
}

extension Adam: ResumableOptimizer {
    public var slotNames: [String] { ["m", "v"] }
    public func checkpoint(_ parameters: [Parameter]) -> OptimizerCheckpoint {
        OptimizerCheckpoint(stepCount: stepCount, learningRate: learningRate, slots: state.exported(parameters, names: slotNames))
    }
    public func restore(_ checkpoint: OptimizerCheckpoint, parameters: [Parameter]) throws {
        try state.restore(checkpoint.slots, parameters: parameters, names: slotNames, initialValue: 0)
        stepCount = checkpoint.stepCount
        learningRate = checkpoint.learningRate
    }
}

extension Adagrad: ResumableOptimizer {
    public var slotNames: [String] { ["accumulator"] }
    public func checkpoint(_ parameters: [Parameter]) -> OptimizerCheckpoint {
        OptimizerCheckpoint(stepCount: stepCount, learningRate: learningRate, slots: state.exported(parameters, names: slotNames))
    }
    public func restore(_ checkpoint: OptimizerCheckpoint, parameters: [Parameter]) throws {
        try state.restore(checkpoint.slots, parameters: parameters, names: slotNames, initialValue: initialAccumulator)
        stepCount = checkpoint.stepCount
        learningRate = checkpoint.learningRate
    }
}

extension SGD: ResumableOptimizer {
    public var slotNames: [String] { ["velocity"] }
    public func checkpoint(_ parameters: [Parameter]) -> OptimizerCheckpoint {
        OptimizerCheckpoint(stepCount: stepCount, learningRate: learningRate, slots: state.exported(parameters, names: slotNames))
    }
    public func restore(_ checkpoint: OptimizerCheckpoint, parameters: [Parameter]) throws {
        try state.restore(checkpoint.slots, parameters: parameters, names: slotNames, initialValue: 0)
        stepCount = checkpoint.stepCount
        learningRate = checkpoint.learningRate
    }
}
