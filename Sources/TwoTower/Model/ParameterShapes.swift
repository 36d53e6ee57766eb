/// The name and shape `[rows, columns]` of one model parameter.
public struct ParameterShape: Sendable, Equatable, CustomStringConvertible {
    public var name: String
    public var rows: Int
    public var columns: Int

    public init(name: String, rows: Int, columns: Int) {
        self.name = name
        self.rows = rows
        self.columns = columns
    }

    public var description: String { "\(name) \(rows)×\(columns)" }
}

extension Tower {
    /// Width of the embedding table of an entity or feature vocabulary of `cardinality` rows.
    static func embeddingWidth(cardinality: Int, configuration: ModelConfiguration) -> Int {
        if configuration.tower == .mf { return configuration.dimensions }
        if configuration.inferEmbeddingSizes { return inferredEmbeddingDimensions(cardinality: cardinality) }
        return configuration.embeddingDimensions ?? configuration.dimensions
    }

    /// The parameters a tower built with these arguments has, in ``parameters`` order, computed
    /// without allocating any of them (to check saved weights before building a model).
    /// - Parameter features: the side features' names and vocabulary sizes, in order; a
    ///   vocabulary size of 0 marks a numeric feature (two MLP inputs, no table).
    /// - Precondition: `configuration` is valid and every count is positive.
    public static func parameterShapes(name: String, entityCount: Int, features: [(name: String, vocabularySize: Int)],
                                       configuration: ModelConfiguration) -> [ParameterShape] {
        let features = configuration.tower == .mlp ? features : []
        let id = embeddingWidth(cardinality: entityCount, configuration: configuration)
        var shapes = [ParameterShape(name: "\(name).id", rows: entityCount, columns: id)]
        var width = id
        for feature in features where feature.vocabularySize == 0 { width += 2 }
        for feature in features where feature.vocabularySize > 0 {
            let w = embeddingWidth(cardinality: feature.vocabularySize, configuration: configuration)
            width += w
            shapes.append(ParameterShape(name: "\(name).\(feature.name)", rows: feature.vocabularySize, columns: w))
        }
        guard configuration.tower == .mlp else { return shapes }
        for (i, hidden) in (configuration.hiddenLayers + [configuration.dimensions]).enumerated() {
            shapes.append(ParameterShape(name: "\(name).mlp.dense\(i).weight", rows: width, columns: hidden))
            shapes.append(ParameterShape(name: "\(name).mlp.dense\(i).bias", rows: 1, columns: hidden))
            width = hidden
        }
        return shapes
    }
}

extension TwoTowerModel {
    /// The parameters ``init(configuration:userCount:itemCount:userFeatures:itemFeatures:seed:)``
    /// builds, in ``parameters`` order, without allocating them.
    public static func parameterShapes(configuration: ModelConfiguration, userCount: Int, itemCount: Int,
                                       userFeatures: [(name: String, vocabularySize: Int)] = [],
                                       itemFeatures: [(name: String, vocabularySize: Int)] = []) -> [ParameterShape] {
        Tower.parameterShapes(name: "user", entityCount: userCount, features: userFeatures, configuration: configuration)
            + Tower.parameterShapes(name: "item", entityCount: itemCount,
                                    features: configuration.useItemFeatures ? itemFeatures : [], configuration: configuration)
    }
}
