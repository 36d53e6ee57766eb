import ArgumentParser
import Foundation
import TowerFormats
import TowerWorkflows
import TwoTower

/// Tower architecture options.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, parsing: .unconditional, help: "Output dimension of both towers.")
    var dim: Int = 64

    @Option(name: .long, help: "Tower kind: mf (id embeddings only) or mlp (embeddings + side features → MLP).")
    var tower: ModelConfiguration.TowerKind = .mf

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("mlp: hidden layer widths, comma-separated. (default: 128)", valueName: "widths"))
    var layers: String?

    @Option(name: .long, parsing: .unconditional, help: "mlp: embedding width of ids and features (default: --dim).")
    var embeddingDim: Int?

    @Flag(name: .long, help: "mlp: embedding widths by Merlin's rule ceil(cardinality^0.25·2) rounded up to a multiple of 8.")
    var inferEmbeddingSizes = false

    @Flag(name: .long, help: "L2-normalise the tower outputs (cosine scores; use with --temperature 0.05 or so).")
    var l2Normalize = false

    @Option(name: .long, parsing: .unconditional, help: "mlp: dropout rate after hidden layers. (default: 0)")
    var dropout: Float?

    @Flag(name: .long, help: "mlp: ignore item side features (e.g. genres).")
    var noItemFeatures = false

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("mlp: add each user's N most recent training items as a bag to the query tower (the positive is left out while training).", valueName: "n"))
    var userHistory: Int?

    func configuration() throws -> ModelConfiguration {
        var c = ModelConfiguration()
        c.dimensions = dim
        c.tower = tower
        c.hiddenLayers = try parseIntegerList(layers ?? "128", option: "--layers")
        c.embeddingDimensions = embeddingDim
        c.inferEmbeddingSizes = inferEmbeddingSizes
        c.l2Normalize = l2Normalize
        c.dropout = dropout ?? 0
        c.useItemFeatures = !noItemFeatures
        c.userHistory = userHistory
        return c
    }
}

extension ModelConfiguration.TowerKind: ExpressibleByArgument {}
extension LogQMode: ExpressibleByArgument {}
extension TemperatureOrder: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
extension RetrievalLoss: ExpressibleByArgument {}
extension RetrievalLoss.Reduction: ExpressibleByArgument {}
extension LearningRateDecay: ExpressibleByArgument {}

/// Parses `10,20,50`; throws a validation error naming the option.
func parseIntegerList(_ text: String, option: String) throws -> [Int] {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
    var values: [Int] = []
    for part in parts {
        let trimmed = part.trimmingCharacters(in: .whitespaces)
        guard let v = Int(trimmed), v > 0 else {
            throw ValidationError("\(option): expected comma-separated positive integers, found \"\(trimmed)\"")
        }
        values.append(v)
    }
    return values
}
