import Foundation
import TowerData
import TwoTower

extension ModelCheckpoint {
    /// Saves `model` trained on `data` to the directory `path`, atomically: the vocabularies,
    /// training lists (of the whole training part, validation included: what a user has seen),
    /// side features and the data-source record come from `data`.
    public static func save(_ model: TwoTowerModel, training: TrainingConfiguration, data: PreparedData,
                            validationSplit: Bool = false, extraFiles: [String: Data] = [:], to path: String) throws {
        try save(model, training: training,
                 userVocabulary: data.split.train.userVocabulary, itemVocabulary: data.split.train.itemVocabulary,
                 trainItemsByUser: data.split.trainingPartItemsByUser,
                 userFeatures: data.userFeatures, itemFeatures: data.itemFeatures,
                 dataName: data.name, validationSplit: validationSplit, dataSource: data.sourceRecord, extraFiles: extraFiles, to: path)
    }
}
