import TowerCore
import TowerNN

/// One tower of a two-tower model: entity rows (users or items) → embeddings `[n, dimensions]`.
///
/// ```
/// mf:  id embedding [n, d] → (L2 normalisation)
/// mlp: concat(id embedding [n, e], feature embeddings [n, e_f]..., numeric [n, 2]...) → MLP → [n, d] → (L2 normalisation)
/// ```
/// Multi-valued features are mean-pooled bags. Each numeric feature adds two MLP inputs, its
/// z-score (0 when missing) and a missing indicator (0/1) — inputs, not parameters. `forward` caches what `backward` needs; both
/// reuse buffers sized for the largest batch seen, so a steady-state step does not allocate.
public final class Tower {
    /// `user` or `item`: prefixes every parameter name.
    public let name: String
    /// Number of entity rows (the id embedding's vocabulary).
    public let entityCount: Int
    /// Output width.
    public let dimensions: Int
    /// The id embedding table.
    public let idEmbedding: Embedding
    private let features: [EntityFeature]
    private let featureBags: [EmbeddingBag]
    private let numericFeatures: [EntityFeature]
    let mlp: Sequential?
    private let normalize: L2Normalize?
    /// Names of the side features the tower embeds.
    public var featureNames: [String] { features.map(\.name) + numericFeatures.map(\.name) }
    private var hasFeatures: Bool { !featureBags.isEmpty || !numericFeatures.isEmpty }
    /// Every trainable parameter, id table first (cached: stable order for optimizers and checkpoints).
    public let parameters: [Parameter]

    // Per-step buffers.
    private var bagOffsets: [Int32] = []
    private var bagIDs: [Int32] = []
    private var concatenated = Matrix(rows: 0, columns: 0)
    private var partGradient = Matrix(rows: 0, columns: 0)

    /// Builds a tower from `configuration` for `entityCount` entities and their side `features`
    /// (used by MLP towers only), seeded by `seed`. `loadedTables` holds embedding tables to use
    /// as they are instead of random draws, by parameter name (`item.id`, `user.genres`…) — a saved
    /// model's, so loading 10⁸ weights neither draws 10⁸ normals nor allocates the tables twice; a
    /// table of the wrong shape is ignored (the checkpoint's shape check reports it).
    public init(name: String, entityCount: Int, features: [EntityFeature], configuration: ModelConfiguration, seed: UInt64,
                loadedTables: [String: Matrix] = [:]) {
        precondition(entityCount > 0, "Tower \(name): no entities")
        self.name = name
        self.entityCount = entityCount
        self.dimensions = configuration.dimensions
        var seeds = SplitMix64(seed: seed)
        let useFeatures = configuration.tower == .mlp ? features : []
        precondition(useFeatures.allSatisfy { $0.entityCount == entityCount },
                     "Tower \(name): a feature describes a different number of entities than \(entityCount)")
        func table(_ tableName: String, rows: Int, columns: Int, seed: UInt64) -> Parameter {
            if let loaded = loadedTables[tableName], loaded.rows == rows, loaded.columns == columns {
                return Parameter(name: tableName, value: loaded, sparse: true)
            }
            var rng = Xoshiro256(seed: seed)
            return Parameter(name: tableName,
                             value: Initializer.truncatedNormal(standardDeviation: 0.05).matrix(rows: rows, columns: columns, using: &rng),
                             sparse: true)
        }
        func width(_ cardinality: Int) -> Int { Tower.embeddingWidth(cardinality: cardinality, configuration: configuration) }
        idEmbedding = Embedding(table: table("\(name).id", rows: entityCount, columns: width(entityCount), seed: seeds.next()))
        self.features = useFeatures.filter { !$0.isNumeric }
        numericFeatures = useFeatures.filter(\.isNumeric)
        featureBags = self.features.map {
            EmbeddingBag(table: table("\(name).\($0.name)", rows: $0.vocabularySize, columns: width($0.vocabularySize),
                                      seed: seeds.next()),
                         combiner: .mean)
        }
        if configuration.tower == .mlp {
            let input = idEmbedding.dimensions + featureBags.reduce(0) { $0 + $1.dimensions } + 2 * numericFeatures.count
            mlp = MLP(inputSize: input, hiddenSizes: configuration.hiddenLayers, outputSize: configuration.dimensions,
                      activation: .relu, dropout: configuration.dropout, l2Normalize: false,
                      seed: seeds.next(), name: "\(name).mlp")
        } else {
            mlp = nil
        }
        normalize = configuration.l2Normalize ? L2Normalize() : nil
        parameters = idEmbedding.parameters + featureBags.flatMap { $0.parameters } + (mlp?.parameters ?? [])
    }

    /// Embeddings of the entities `rows` `[rows.count, dimensions]`; `training` turns dropout on and
    /// caches activations for ``backward(_:)``. The returned matrix shares the tower's buffer.
    /// - Parameter targets: each row's positive item at training time; bags of features marked
    ///   ``EntityFeature/excludesTarget`` (the user's history) leave it out.
    public func forward(rows: UnsafeBufferPointer<Int32>, training: Bool,
                        targets: UnsafeBufferPointer<Int32>? = nil) -> Matrix {
        var output = idEmbedding.forward(ids: rows)
        if let mlp {
            if hasFeatures {
                concatenateFeatures(rows: rows, idPart: output, targets: targets)
                output = mlp.forward(concatenated, training: training)
            } else {
                output = mlp.forward(output, training: training)
            }
        }
        if let normalize { output = normalize.forward(output, training: training) }
        return output
    }

    /// Embeddings of `rows`; see ``forward(rows:training:)``.
    public func forward(rows: [Int32], training: Bool) -> Matrix {
        rows.withUnsafeBufferPointer { forward(rows: $0, training: training) }
    }

    /// Back-propagates `outputGradient` `[n, dimensions]` of the last training forward into the
    /// parameters' gradients (overwriting them).
    public func backward(_ outputGradient: Matrix) {
        var gradient = outputGradient
        if let normalize { gradient = normalize.backward(gradient) }
        if let mlp {
            gradient = mlp.backward(gradient)
            if hasFeatures {
                scatterFeatureGradients(gradient)
                return
            }
        }
        idEmbedding.backward(gradient)
    }

    /// Embeddings of every entity `[entityCount, dimensions]`, computed in blocks, inference mode.
    public func embedAll(blockSize: Int = 4096) -> Matrix {
        // An MF tower without normalisation is its id table: share it (copy-on-write) instead of
        // copying 4·rows·d bytes.
        if mlp == nil && normalize == nil && idEmbedding.dimensions == dimensions { return idEmbedding.table.value }
        var all = Matrix(rows: entityCount, columns: dimensions)
        var rows = [Int32](repeating: 0, count: blockSize)
        var start = 0
        while start < entityCount {
            let count = min(blockSize, entityCount - start)
            for i in 0..<count { rows[i] = Int32(start + i) }
            let block = rows.withUnsafeBufferPointer {
                forward(rows: UnsafeBufferPointer(rebasing: $0[0..<count]), training: false)
            }
            all.withUnsafeMutableBufferPointer { out in
                block.withUnsafeBufferPointer { src in
                    (out.baseAddress! + start * dimensions).update(from: src.baseAddress!, count: count * dimensions)
                }
            }
            start += count
        }
        return all
    }

    // MARK: - Feature concatenation

    private func concatenateFeatures(rows: UnsafeBufferPointer<Int32>, idPart: Matrix,
                                     targets: UnsafeBufferPointer<Int32>?) {
        let n = rows.count
        let total = idEmbedding.dimensions + featureBags.reduce(0) { $0 + $1.dimensions } + 2 * numericFeatures.count
        concatenated.reshape(rows: n, columns: total)
        copyColumns(from: idPart, into: &concatenated, at: 0)
        var column = idEmbedding.dimensions
        for (feature, bag) in zip(features, featureBags) {
            gatherBags(feature, rows: rows, targets: feature.excludesTarget ? targets : nil)
            let pooled = bagOffsets.withUnsafeBufferPointer { o in
                bagIDs.withUnsafeBufferPointer { i in bag.forward(offsets: o, ids: i) }
            }
            copyColumns(from: pooled, into: &concatenated, at: column)
            column += bag.dimensions
        }
        for feature in numericFeatures {
            guard case .numeric(let values, let missing) = feature.values else { continue }
            concatenated.withUnsafeMutableBufferPointer { d in
                for (k, r) in rows.enumerated() {
                    d[k * total + column] = values[Int(r)]
                    d[k * total + column + 1] = missing[Int(r)] ? 1 : 0
                }
            }
            column += 2
        }
    }

    /// Builds the CSR of the batch's bags for `feature` into the reusable buffers. Each tower
    /// call uses each bag once, so the bag's own copy of the ids serves its backward pass.
    private func gatherBags(_ feature: EntityFeature, rows: UnsafeBufferPointer<Int32>,
                            targets: UnsafeBufferPointer<Int32>?) {
        bagOffsets.removeAll(keepingCapacity: true)
        bagIDs.removeAll(keepingCapacity: true)
        bagOffsets.append(0)
        switch feature.values {
        case .numeric: break
        case .single(let ids):
            for r in rows { bagIDs.append(ids[Int(r)]); bagOffsets.append(Int32(bagIDs.count)) }
        case .multi(let offsets, let ids):
            for (position, r) in rows.enumerated() {
                let row = Int(r), skip = targets?[position] ?? -1
                for j in Int(offsets[row])..<Int(offsets[row + 1]) where ids[j] != skip { bagIDs.append(ids[j]) }
                bagOffsets.append(Int32(bagIDs.count))
            }
        }
    }

    private func scatterFeatureGradients(_ gradient: Matrix) {
        partGradient.reshape(rows: gradient.rows, columns: idEmbedding.dimensions)
        extractColumns(from: gradient, at: 0, into: &partGradient)
        idEmbedding.backward(partGradient)
        var column = idEmbedding.dimensions
        for bag in featureBags {
            partGradient.reshape(rows: gradient.rows, columns: bag.dimensions)
            extractColumns(from: gradient, at: column, into: &partGradient)
            bag.backward(partGradient)
            column += bag.dimensions
        }
    }
}

/// Copies `source` `[n, w]` into columns `at..<at+w` of `destination` `[n, W]`.
func copyColumns(from source: Matrix, into destination: inout Matrix, at column: Int) {
    let n = source.rows, w = source.columns, stride = destination.columns
    source.withUnsafeBufferPointer { s in
        destination.withUnsafeMutableBufferPointer { d in
            for r in 0..<n {
                (d.baseAddress! + r * stride + column).update(from: s.baseAddress! + r * w, count: w)
            }
        }
    }
}

/// Copies columns `at..<at+w` of `source` `[n, W]` into `destination` `[n, w]`.
func extractColumns(from source: Matrix, at column: Int, into destination: inout Matrix) {
    let n = destination.rows, w = destination.columns, stride = source.columns
    source.withUnsafeBufferPointer { s in
        destination.withUnsafeMutableBufferPointer { d in
            for r in 0..<n {
                (d.baseAddress! + r * w).update(from: s.baseAddress! + r * stride + column, count: w)
            }
        }
    }
}
