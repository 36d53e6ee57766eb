import Foundation
import TowerCore
import TowerDistributed
import TowerNN

/// Reused buffers of a data-parallel step.
struct DataParallelBuffers {
    /// `[b + B + S, d]`: this rank's positives, the global batch's positives, this rank's draws.
    var scored = Matrix(rows: 0, columns: 0)
    /// `[b + S, d]`: the gradient of the item tower's own output rows.
    var towerGradient = Matrix(rows: 0, columns: 0)
    /// `[B]`: the global batch's item rows.
    var globalIds: [Int] = []
    var dense: [Float] = []
    var sparseRows: [Int32] = []
    var sparseValues: [Float] = []
}

/// The collectives of a data-parallel step (see ``Trainer``'s documentation). Every rank calls
/// them in the same order; each returns bit-identical sums on every rank.
extension Trainer {
    /// Runs a collective, turning its error into a ``TrainingError``.
    private func collective<R>(_ what: String, _ body: () throws(CommunicatorError) -> R) throws -> R {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { communicationSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        do { return try body() } catch { throw TrainingError.communication("\(what): \(error)") }
    }

    /// All-gathers the positives' item embeddings (rows `0..<b` of `itemOutput`, `[b + S, d]`) and
    /// returns the scored matrix `[b + B + S, d]` = `[mine; global batch in rank order; draws]`.
    /// Keeping this rank's positives first lets column 0 of the logits read them as usual.
    func gatherPositives(_ itemOutput: Matrix, localRows b: Int, globalItems: UnsafeBufferPointer<Int32>) throws -> Matrix {
        let d = itemOutput.columns, globalRows = globalItems.count, draws = itemOutput.rows - b
        let local = Array(itemOutput.storage[0 ..< b * d])
        let gathered = try collective("all-gather of the batch's item embeddings") { () throws(CommunicatorError) in
            try communicator.allGatherV(local)
        }
        guard gathered.values.count == globalRows * d else {
            throw TrainingError.communication("all-gather of the batch's item embeddings: \(gathered.values.count / max(d, 1)) rows arrived for a batch of \(globalRows) (rows per rank \(gathered.counts.map { $0 / max(d, 1) })); do all ranks read the same data and configuration?")
        }
        bytesSentLastStep += local.count * MemoryLayout<Float>.size
        exchange.scored.reshape(rows: b + globalRows + draws, columns: d)
        exchange.scored.withUnsafeMutableBufferPointer { target in
            let t = target.baseAddress!
            itemOutput.withUnsafeBufferPointer { source in
                t.update(from: source.baseAddress!, count: b * d)
                (t + (b + globalRows) * d).update(from: source.baseAddress! + b * d, count: draws * d)
            }
            gathered.values.withUnsafeBufferPointer { g in (t + b * d).update(from: g.baseAddress!, count: globalRows * d) }
        }
        exchange.globalIds.removeAll(keepingCapacity: true)
        for item in globalItems { exchange.globalIds.append(Int(item)) }
        return exchange.scored
    }

    /// Turns this rank's loss over its `b` rows into its share of the global batch's loss and
    /// returns the global loss (all-reduced). Mean: the global loss is `Σ_all w l / B =
    /// Σ_r (b_r/B)·L_r`, so `∂L/∂logits` is scaled by `b/B`. Sum: it is `Σ_r L_r`, each rank's own
    /// gradient is already its share (factor 1).
    /// `penalty` is this rank's share of the embedding L2 penalty, already scaled for the global batch.
    func globalLoss(_ local: Float, penalty: Double, localRows b: Int, globalRows: Int) throws -> Float {
        let share: Double = configuration.reduction == .mean ? Double(b) / Double(globalRows) : 1
        if share != 1 { logitsGradient.withUnsafeMutableBufferPointer { TowerCore.scale($0, by: Float(share)) } }
        let mine = [Double(local) * share + penalty]
        let total = try collective("all-reduce of the loss") { () throws(CommunicatorError) in
            try communicator.allReduceSum(mine)
        }
        bytesSentLastStep += MemoryLayout<Double>.size
        return Float(total[0])
    }

    /// Reduce-scatters the gradient of the gathered rows (`rows b ..< b+B` of `itemGradient`,
    /// `[b + B + S, d]`) so this rank receives the sum over ranks for its own positives, and
    /// assembles the item tower's gradient `[b + S, d]` = `[own column-0 part + received; draws]`.
    func scatterItemGradient(_ itemGradient: Matrix, localRows b: Int, globalRows: Int) throws {
        let d = itemGradient.columns, draws = itemGradient.rows - b - globalRows
        let block = Array(itemGradient.storage[b * d ..< (b + globalRows) * d])
        let counts = communicator.sliceCounts(of: globalRows).map { $0 * d }
        let own = try collective("reduce-scatter of the batch's item gradients") { () throws(CommunicatorError) in
            try communicator.reduceScatterSum(block, counts: counts)
        }
        bytesSentLastStep += (block.count - own.count) * MemoryLayout<Float>.size
        exchange.towerGradient.reshape(rows: b + draws, columns: d)
        exchange.towerGradient.withUnsafeMutableBufferPointer { target in
            let t = target.baseAddress!
            itemGradient.withUnsafeBufferPointer { source in
                let s = source.baseAddress!
                own.withUnsafeBufferPointer { o in
                    for i in 0 ..< b * d { t[i] = s[i] + o[i] }
                }
                (t + b * d).update(from: s + (b + globalRows) * d, count: draws * d)
            }
        }
    }

    /// Sums every parameter's gradient over the ranks, in rank order: dense gradients in one
    /// all-reduce; embedding tables' touched rows as (row, gradient) pairs in two all-gather-v
    /// calls (row lists with a count per table, then the values), added rank by rank.
    func sumParameterGradients() throws {
        exchange.dense.removeAll(keepingCapacity: true)
        for p in parameters where !p.isSparse { exchange.dense.append(contentsOf: p.gradient.storage) }
        if !exchange.dense.isEmpty {
            let local = exchange.dense
            let sum = try collective("all-reduce of the dense gradients") { () throws(CommunicatorError) in
                try communicator.allReduceSum(local)
            }
            bytesSentLastStep += local.count * MemoryLayout<Float>.size
            var offset = 0
            for p in parameters where !p.isSparse {
                let n = p.gradient.count
                p.gradient.storage.replaceSubrange(0..<n, with: sum[offset ..< offset + n])
                offset += n
            }
        }
        let sparse = parameters.compactMap(\.sparseGradient)
        guard !sparse.isEmpty else { return }
        exchange.sparseRows.removeAll(keepingCapacity: true)
        exchange.sparseValues.removeAll(keepingCapacity: true)
        for table in sparse {
            table.withUnsafeRows { rows, values in
                exchange.sparseRows.append(Int32(rows.count))
                exchange.sparseRows.append(contentsOf: rows)
                exchange.sparseValues.append(contentsOf: values)
            }
        }
        let localRows = exchange.sparseRows, localValues = exchange.sparseValues
        let rows = try collective("all-gather-v of the embedding rows touched") { () throws(CommunicatorError) in
            try communicator.allGatherV(localRows)
        }
        let values = try collective("all-gather-v of the embedding gradients") { () throws(CommunicatorError) in
            try communicator.allGatherV(localValues)
        }
        bytesSentLastStep += localRows.count * MemoryLayout<Int32>.size + localValues.count * MemoryLayout<Float>.size
        for table in sparse { table.removeAll() }
        var rowAt = 0, valueAt = 0
        try rows.values.withUnsafeBufferPointer { r in
            try values.values.withUnsafeBufferPointer { v in
                for rank in 0..<communicator.size {
                    let rowEnd = rowAt + rows.counts[rank]
                    for table in sparse {
                        guard rowAt < rowEnd else { throw TrainingError.communication("embedding gradients from rank \(rank) are truncated") }
                        let n = Int(r[rowAt]), d = table.dimensions
                        rowAt += 1
                        guard n >= 0, rowAt + n <= rowEnd, valueAt + n * d <= v.count,
                              r[rowAt ..< rowAt + n].allSatisfy({ $0 >= 0 && Int($0) < table.vocabularySize }) else {
                            throw TrainingError.communication("embedding gradients from rank \(rank) do not match this rank's tables")
                        }
                        table.add(rows: UnsafeBufferPointer(rebasing: r[rowAt ..< rowAt + n]),
                                  values: UnsafeBufferPointer(rebasing: v[valueAt ..< valueAt + n * d]))
                        rowAt += n
                        valueAt += n * d
                    }
                    guard rowAt == rowEnd else { throw TrainingError.communication("embedding gradients from rank \(rank) hold more tables than this rank's model") }
                }
            }
        }
    }
}
