import TowerFormats

extension SavedModelConfiguration {
    /// Checks every field, then the weights' parameter shapes against the configuration, without
    /// allocating a model: a hand-edited `config.json` (not covered by the checksums) cannot make
    /// the loader build something absurd.
    /// - Throws: ``PersistenceError/invalidConfig(file:reason:)`` naming the field as a
    ///   `config.json` path (`config.model.dimensions must be positive, found 0`);
    ///   ``PersistenceError/corruptFile(file:reason:)`` naming the tensor that disagrees.
    func check(against weights: SafeTensors, directory: String) throws {
        let configFile = directory + "/" + ModelDirectory.configFileName
        func invalid(_ reason: String) -> PersistenceError { .invalidConfig(file: configFile, reason: reason) }
        do { try model.validate() } catch let e as ConfigurationError {
            throw invalid(e.message { "config.model.\($0)" })
        }
        do { try training.validate() } catch let e as ConfigurationError {
            throw invalid(e.message { "config.training.\($0)" })
        }
        guard userCount > 0 else { throw invalid("config.userCount must be positive, found \(userCount)") }
        guard itemCount > 0 else { throw invalid("config.itemCount must be positive, found \(itemCount)") }
        for (owner, features) in [("userFeatures", userFeatures), ("itemFeatures", itemFeatures)] {
            var names = Set<String>()
            for f in features {
                if let kind = f.kind, kind != "numeric" {
                    throw invalid("config.\(owner) \"\(f.name)\": kind must be \"numeric\" or absent, found \"\(kind)\"")
                }
                if f.isNumeric {
                    guard f.vocabularySize == 0, let z = f.normalization, z.mean.isFinite, z.standardDeviation.isFinite,
                          z.standardDeviation > 0 else {
                        throw invalid("config.\(owner) \"\(f.name)\": a numeric feature needs vocabularySize 0 and a normalization with a finite mean and a positive standardDeviation")
                    }
                } else if f.vocabularySize <= 0 {
                    throw invalid("config.\(owner) \"\(f.name)\": vocabularySize must be positive, found \(f.vocabularySize)")
                }
                guard names.insert(f.name).inserted else { throw invalid("config.\(owner) names \"\(f.name)\" twice") }
            }
        }
        let expected = TwoTowerModel.parameterShapes(
            configuration: model, userCount: userCount, itemCount: itemCount,
            userFeatures: userFeatures.map { ($0.name, $0.vocabularySize) },
            itemFeatures: itemFeatures.map { ($0.name, $0.vocabularySize) })
        let file = weights.source
        for shape in expected {
            guard let tensor = weights.tensors[shape.name] else {
                throw PersistenceError.corruptFile(
                    file: file, reason: "no tensor \"\(shape.name)\", which config.json's model needs (\(shape.rows)×\(shape.columns))")
            }
            guard tensor.dtype == .float32, tensor.shape == [shape.rows, shape.columns] else {
                throw PersistenceError.corruptFile(
                    file: file, reason: "tensor \"\(shape.name)\" is \(tensor.summary), config.json's model needs F32 [\(shape.rows), \(shape.columns)]")
            }
        }
    }
}
