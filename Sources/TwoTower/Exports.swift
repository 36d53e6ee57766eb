// What a user of `import TwoTower` needs from the modules below it, re-exported so that one import
// is enough to train from in-memory pairs, save, load and ask for top-k (README, "Library"). Only
// these declarations are re-exported; the rest of TowerCore, TowerData and TowerFormats needs its
// own import.

// Interactions with dense ids (``TrainedModel/train(_:model:training:threads:observer:dataName:)`` trains on one).
@_exported import struct TowerData.InteractionLog
// Raw ids ↔ rows (``ModelCheckpoint/users``, ``ModelCheckpoint/items``).
@_exported import struct TowerData.Vocabulary
// Each user's item rows (training items, held-out items).
@_exported import struct TowerData.UserItemLists
// Train / test (/ validation) parts of a log, to hold data out before training.
@_exported import struct TowerData.DatasetSplit
// How ``DatasetSplit`` splits (leave-last-out, ratio, …).
@_exported import enum TowerData.SplitStrategy
// Errors of bad interactions (an empty id, a control character), naming where.
@_exported import enum TowerData.DataError
// Errors of saving and loading a model directory.
@_exported import enum TowerFormats.PersistenceError
// The row-major Float matrix embeddings come in (`[rows, d]`).
@_exported import struct TowerCore.Matrix
