import TowerCore
import TowerFormats
import TowerNN

/// The state a ``Trainer`` carries from step to step, as named tensors, for a checkpoint that
/// resumes training exactly (``Trainer/stateTensors()``, ``Trainer/restoreState(_:file:)``):
///
/// - `param/<name>`: every parameter's current value (F32, its shape);
/// - `optimizer/step` (I64 `[1]`: the step counter, which is also the learning-rate schedule's
///   position), `optimizer/learning_rate` (F32 `[1]`), `optimizer/<parameter>/<slot>` (F32: Adam's
///   `m`/`v`, Adagrad's `accumulator`, SGD's `velocity`);
/// - `trainer/global_step` (I64 `[1]`);
/// - `logq/step`, `logq/last_step` (I64), `logq/gap` (F32), `logq/hits` (I32): the streaming
///   frequency estimator (Yi et al. 2019), when `logQ == .streaming`;
/// - `sampler<k>/rng` (I64 `[4]`, Xoshiro256 state words as bit patterns): the corpus samplers'
///   generators; `sampler<k>/ring/rows` (F32 `[capacity·d]`), `sampler<k>/ring/meta/<feature>`
///   (I64 `[capacity]`), `sampler<k>/ring/position` (I64 `[first, count, d, built]`): the caches
///   (cross-batch, cached uniform);
/// - `dropout/<tower>/<k>` (I64 `[4]`): every dropout layer's mask generator (data-parallel:
///   rank 0's, and `dropout/<tower>/<k>/rank<r>` each other rank's, see ``Trainer/stateTensorsOfAllRanks()``).
///
/// The batch order needs nothing: ``BatchIterator`` shuffles each epoch from the seed and the
/// epoch index alone.
extension Trainer {
    /// Every piece of mutable training state, by name (see above).
    /// - Throws: ``ConfigurationError`` when the optimizer cannot be saved (not ``ResumableOptimizer``).
    public func stateTensors() throws -> [String: StoredTensor] {
        var t: [String: StoredTensor] = [:]
        for p in parameters { t["param/" + p.name] = StoredTensor(p.value) }
        guard let resumable = optimizer as? any ResumableOptimizer else {
            throw ConfigurationError("the optimizer \(type(of: optimizer)) cannot be checkpointed")
        }
        let o = resumable.checkpoint(parameters)
        t["optimizer/step"] = StoredTensor([Int64(o.stepCount)])
        t["optimizer/learning_rate"] = StoredTensor([o.learningRate])
        for (key, values) in o.slots { t["optimizer/" + key] = StoredTensor(values) }
        t["trainer/global_step"] = StoredTensor([Int64(globalStep)])
        if let e = frequencyEstimator {
            t["logq/step"] = StoredTensor([Int64(e.step)])
            t["logq/last_step"] = StoredTensor(e.lastStep.map { Int64($0) })
            t["logq/gap"] = StoredTensor(e.gap)
            t["logq/hits"] = StoredTensor(e.hits)
        }
        for (k, source) in negativeSources.enumerated() {
            switch source {
            case .inBatch: break
            case .corpus(let sampler):
                if let s = sampler as? UniformCorpusSampler { t["sampler\(k)/rng"] = Self.words(s.rng.state) }
                if let s = sampler as? PopularityBasedSampler { t["sampler\(k)/rng"] = Self.words(s.rng.state) }
            case .cache(let cache):
                let ring: EmbeddingRing? = (cache as? CachedCrossBatchSampler)?.ring ?? (cache as? CachedUniformSampler)?.ring
                guard let ring else { continue }
                t["sampler\(k)/ring/position"] = StoredTensor([Int64(ring.first), Int64(ring.count), Int64(ring.dimension),
                                                              ring.isBuilt ? 1 : 0])
                if ring.isBuilt {
                    t["sampler\(k)/ring/rows"] = StoredTensor(ring.rows)
                    for (name, values) in zip(ring.featureNames, ring.meta) {
                        t["sampler\(k)/ring/meta/\(name)"] = StoredTensor(values.map { Int64($0) })
                    }
                }
            }
        }
        for (label, dropouts) in dropoutLayers { for (k, d) in dropouts.enumerated() { t["dropout/\(label)/\(k)"] = Self.words(d.generatorState) } }
        return t
    }

    /// ``stateTensors()`` plus, when data-parallel, every other rank's dropout generators as
    /// `dropout/<tower>/<k>/rank<r>` (each rank draws its own rows' masks, so their positions
    /// differ). Collective: every rank calls it at the same point and gets the same tensors.
    /// - Throws: as ``stateTensors()``; ``TrainingError/communication(_:)``.
    public func stateTensorsOfAllRanks() throws -> [String: StoredTensor] {
        var t = try stateTensors()
        let mine = dropoutLayers.flatMap { $0.1.flatMap { $0.generatorState.map { Int64(bitPattern: $0) } } }
        guard communicator.size > 1, !mine.isEmpty else { return t }
        let all: [Int64]
        do { all = try communicator.allGather(mine) } catch { throw TrainingError.communication("checkpoint: \(error)") }
        for rank in 0..<communicator.size {
            var offset = rank * mine.count
            for (label, dropouts) in dropoutLayers {
                for k in dropouts.indices {
                    t["dropout/\(label)/\(k)" + (rank == 0 ? "" : "/rank\(rank)")] = StoredTensor(Array(all[offset ..< offset + 4]))
                    offset += 4
                }
            }
        }
        return t
    }

    /// Puts back what ``stateTensors()`` saved: the next step is the one the saved trainer would
    /// have taken. The trainer must have been built like the saved one (same model shape,
    /// configuration and item count).
    /// - Throws: ``PersistenceError/missingTensor(file:name:)`` and ``PersistenceError/corruptFile(file:reason:)``
    ///   naming `file` and the tensor that is missing or has the wrong size or type.
    public func restoreState(_ t: [String: StoredTensor], file: String) throws {
        func tensor(_ name: String) throws -> StoredTensor {
            guard let v = t[name] else { throw PersistenceError.missingTensor(file: file, name: name) }
            return v
        }
        func bad(_ name: String, _ reason: String) -> PersistenceError {
            .corruptFile(file: file, reason: "tensor \(name): \(reason)")
        }
        func floats(_ name: String, count: Int? = nil) throws -> [Float] {
            guard let v = try tensor(name).floatVector else { throw bad(name, "expected F32") }
            if let count, v.count != count { throw bad(name, "\(v.count) values, expected \(count)") }
            return v
        }
        func ints(_ name: String, count: Int? = nil) throws -> [Int64] {
            guard let v = try tensor(name).int64Vector else { throw bad(name, "expected I64") }
            if let count, v.count != count { throw bad(name, "\(v.count) values, expected \(count)") }
            return v
        }
        func generator(_ name: String) throws -> [UInt64] {
            let w = try ints(name, count: 4).map { UInt64(bitPattern: $0) }
            guard w.contains(where: { $0 != 0 }) else { throw bad(name, "an all-zero generator state") }
            return w
        }
        // Read and check everything first, then assign: a bad file leaves the trainer as it was.
        var values: [Matrix] = []
        for p in parameters {
            let name = "param/" + p.name
            guard let m = try tensor(name).matrix, m.rows == p.rows, m.columns == p.columns else {
                throw bad(name, "expected F32 \(p.rows)×\(p.columns), found \(t[name]!.summary)")
            }
            guard m.storage.allSatisfy(\.isFinite) else { throw bad(name, "holds a NaN or infinite value") }
            values.append(m)
        }
        guard let resumable = optimizer as? any ResumableOptimizer else {
            throw ConfigurationError("the optimizer \(type(of: optimizer)) cannot be checkpointed")
        }
        var slots: [String: [Float]] = [:]
        for name in t.keys where name.hasPrefix("optimizer/") && name != "optimizer/step" && name != "optimizer/learning_rate" {
            slots[String(name.dropFirst("optimizer/".count))] = try floats(name)
        }
        let saved = OptimizerCheckpoint(stepCount: Int(try ints("optimizer/step", count: 1)[0]),
                                        learningRate: try floats("optimizer/learning_rate", count: 1)[0], slots: slots)
        let step = Int(try ints("trainer/global_step", count: 1)[0])
        guard step >= 0, saved.stepCount >= 0 else { throw bad("trainer/global_step", "negative step counter") }
        var estimator: (step: Int, lastStep: [Int], gap: [Float], hits: [Int32])? = nil
        if let e = frequencyEstimator {
            let n = e.gap.count
            guard let hits = try tensor("logq/hits").int32Vector, hits.count == n else { throw bad("logq/hits", "expected I32 [\(n)]") }
            estimator = (Int(try ints("logq/step", count: 1)[0]), try ints("logq/last_step", count: n).map { Int($0) },
                         try floats("logq/gap", count: n), hits)
        }
        var generators: [Int: [UInt64]] = [:]
        var rings: [Int: EmbeddingRing] = [:]
        for (k, source) in negativeSources.enumerated() {
            switch source {
            case .inBatch: break
            case .corpus: generators[k] = try generator("sampler\(k)/rng")
            case .cache(let cache):
                guard var ring = (cache as? CachedCrossBatchSampler)?.ring ?? (cache as? CachedUniformSampler)?.ring else { continue }
                let position = try ints("sampler\(k)/ring/position", count: 4).map { Int($0) }
                let (first, count, d, built) = (position[0], position[1], position[2], position[3] == 1)
                guard first >= 0, first < ring.capacity, count >= 0, count <= ring.capacity, d >= 0 else {
                    throw bad("sampler\(k)/ring/position", "first \(first), count \(count), dimension \(d) do not fit capacity \(ring.capacity)")
                }
                if built {
                    guard d == model.dimensions else { throw bad("sampler\(k)/ring/position", "dimension \(d), the model has \(model.dimensions)") }
                    let prefix = "sampler\(k)/ring/meta/"
                    let names = t.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted()
                    ring.rows = try floats("sampler\(k)/ring/rows", count: ring.capacity * d)
                    ring.meta = try names.map { name in try ints(prefix + name, count: ring.capacity).map { Int($0) } }
                    ring.featureNames = names
                    ring.outEmbeddings = Matrix(rows: ring.capacity, columns: d)
                    ring.outMetadata = Dictionary(uniqueKeysWithValues: names.map { ($0, [Int](repeating: 0, count: ring.capacity)) })
                }
                ring.first = first; ring.count = count; ring.dimension = d; ring.isBuilt = built
                rings[k] = ring
            }
        }
        var masks: [(Dropout, [UInt64])] = []
        for (label, dropouts) in dropoutLayers {
            for (k, d) in dropouts.enumerated() {
                // This rank's own generator when the checkpoint has it (``stateTensorsOfAllRanks()``), else rank 0's.
                let own = "dropout/\(label)/\(k)/rank\(communicator.rank)"
                masks.append((d, try generator(communicator.rank > 0 && t[own] != nil ? own : "dropout/\(label)/\(k)")))
            }
        }
        do { try resumable.restore(saved, parameters: parameters) } catch let error as OptimizerCheckpointError {
            throw bad("optimizer/" + error.slot, error.reason)
        }

        for (p, m) in zip(parameters, values) { p.value = m }
        globalStep = step
        if let e = frequencyEstimator, let s = estimator {
            e.step = s.step; e.lastStep = s.lastStep; e.gap = s.gap; e.hits = s.hits
        }
        for (k, source) in negativeSources.enumerated() {
            switch source {
            case .inBatch: break
            case .corpus(let sampler):
                if let s = sampler as? UniformCorpusSampler { s.rng = Xoshiro256(state: generators[k]!) }
                if let s = sampler as? PopularityBasedSampler { s.rng = Xoshiro256(state: generators[k]!) }
            case .cache(let cache):
                guard let ring = rings[k] else { continue }
                if let c = cache as? CachedCrossBatchSampler { c.ring = ring }
                if let c = cache as? CachedUniformSampler {
                    c.ring = ring
                    c.slotOfId.removeAll()
                    if let key = ring.featureIndex(c.itemIdFeatureName) {
                        for (slot, id) in ring.meta[key].enumerated() where id >= 0 { c.slotOfId[id] = slot }
                    }
                }
            }
        }
        for (d, state) in masks { d.generatorState = state }
    }

    /// The dropout layers of each tower, in layer order.
    private var dropoutLayers: [(String, [Dropout])] {
        [("query", model.queryTower.mlp?.layers.compactMap { $0 as? Dropout } ?? []),
         ("item", model.itemTower.mlp?.layers.compactMap { $0 as? Dropout } ?? [])]
    }

    private static func words(_ state: [UInt64]) -> StoredTensor { StoredTensor(state.map { Int64(bitPattern: $0) }) }
}
