import Foundation
import TowerCore
import TowerFormats
import TwoTower

/// The resumable checkpoint a ``TrainingRun`` with an ``TrainingRun/output`` writes into its
/// model directory after every epoch: the model directory itself (``ModelCheckpoint``: the
/// current parameters, vocabularies, …) plus the extra file `resume.safetensors`, checksummed in
/// `config.json`'s manifest like every extra file and published with it atomically. It holds
///
/// - the trainer's state as tensors (``Trainer/stateTensors()``: parameters, optimizer moments,
///   accumulators and step counter, the logQ frequency estimator, cache contents, every generator);
/// - `best/<parameter>`: the best validated epoch's parameters kept so far (early stopping);
/// - `__metadata__`: `twotower.kind` = `training-state`, `resume_format_version`, `progress`
///   (``FitProgress`` JSON: epochs done, losses, validation, best epoch and value, patience
///   counter), `history` (the per-step loss record), `settings` (the run's settings, compared on
///   resume), `epochs` (the `--epochs` of the run) and `arguments` (JSON list: the command line
///   that started it, for `twotower train --resume`).
///
/// The final save keeps the file of the last completed epoch, so a run that ended (all epochs,
/// early stopping or Ctrl-C) can be resumed: a Ctrl-C'd epoch is trained again from its start.
public enum ResumeCheckpoint {
    /// The extra file's name in the model directory.
    public static let fileName = "resume.safetensors"
    /// The version this build writes and reads.
    public static let formatVersion = 1
    static let kind = "training-state"

    /// A checkpoint as read back.
    public struct Saved: Sendable {
        public var state: [String: StoredTensor]
        public var fit: FitCheckpoint
        public var history: TrainingHistoryRecorder.Snapshot?
        public var settings: String
        public var epochs: Int
        public var arguments: [String]
        /// The file's bytes (kept by a resumed run until it writes a newer checkpoint).
        public var bytes: Data
    }

    /// The command line the run in `directory` was started with (for `train --resume`).
    /// - Throws: ``PersistenceError`` as ``read(from:)``.
    public static func arguments(in directory: String) throws -> [String] {
        try read(from: directory).arguments
    }

    /// Reads and verifies `directory`'s checkpoint (the model directory's checksums, then the
    /// file's format, version and fields).
    /// - Throws: ``PersistenceError``: `notAModelDirectory`, `missingFile` (a model saved without
    ///   a checkpoint, e.g. by an older version), `unsupportedFormatVersion`, `corruptFile` naming
    ///   the file and the field (metadata key or tensor), and those of ``ModelDirectory/read(_:from:)``.
    public static func read(from directory: String) throws -> Saved {
        let contents = try ModelDirectory.read(SavedModelConfiguration.self, from: directory)
        let file = directory + "/" + fileName
        guard let data = contents.extraFiles[fileName] else {
            throw PersistenceError.missingFile(directory: directory, file: fileName + " (the resumable checkpoint: this model was saved without one, by an older twotower or not by train)")
        }
        let tensors = try SafeTensors.decode(data, file: file)
        let m = tensors.metadata
        func field(_ key: String) throws -> String {
            guard let v = m[key] else { throw PersistenceError.corruptFile(file: file, reason: "metadata field \"\(key)\" is missing") }
            return v
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            do { return try JSONDecoder().decode(T.self, from: Data(try field(key).utf8)) } catch let e as PersistenceError { throw e } catch {
                throw PersistenceError.corruptFile(file: file, reason: "metadata field \"\(key)\": \(error)")
            }
        }
        guard try field("twotower.kind") == kind else {
            throw PersistenceError.corruptFile(file: file, reason: "metadata field \"twotower.kind\" is \"\(m["twotower.kind"]!)\", expected \"\(kind)\"")
        }
        guard let version = Int(try field("resume_format_version")) else {
            throw PersistenceError.corruptFile(file: file, reason: "metadata field \"resume_format_version\" is not an integer")
        }
        guard version == formatVersion else {
            throw PersistenceError.unsupportedFormatVersion(path: file, found: version, supported: formatVersion)
        }
        let progress = try decode(FitProgress.self, "progress")
        guard let epochs = Int(try field("epochs")), epochs >= 1, progress.epochs >= 0, progress.epochs <= epochs else {
            throw PersistenceError.corruptFile(file: file, reason: "metadata fields \"epochs\" and \"progress\".epochs (\(progress.epochs)) do not fit together")
        }
        var best: [Matrix] = []
        let bestNames = tensors.tensors.keys.filter { $0.hasPrefix("best/") }
        if !bestNames.isEmpty {
            // In parameter order: the order `param/` names were written in is the model's.
            guard let order = m["parameter_order"]?.split(separator: ",").map(String.init) else {
                throw PersistenceError.corruptFile(file: file, reason: "metadata field \"parameter_order\" is missing")
            }
            for name in order {
                guard let t = tensors.tensors["best/" + name]?.matrix else { throw PersistenceError.missingTensor(file: file, name: "best/" + name) }
                best.append(t)
            }
        }
        let history = m["history"] == nil ? nil : try decode(TrainingHistoryRecorder.Snapshot.self, "history")
        return Saved(state: tensors.tensors.filter { !$0.key.hasPrefix("best/") }, fit: FitCheckpoint(progress: progress, best: best),
                     history: history, settings: try field("settings"), epochs: epochs,
                     arguments: try decode([String].self, "arguments"), bytes: data)
    }

    /// The file's bytes for `trainer` at the end of an epoch.
    static func encode(state: [String: StoredTensor], parameterNames names: [String], fit: FitCheckpoint,
                       history: TrainingHistoryRecorder.Snapshot?, settings: String, epochs: Int, arguments: [String]) throws -> Data {
        var tensors = state
        for (name, value) in zip(names, fit.best) { tensors["best/" + name] = StoredTensor(value) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        var metadata = ["twotower.kind": kind, "resume_format_version": String(formatVersion),
                        "progress": try json(fit.progress), "settings": settings, "epochs": String(epochs),
                        "arguments": try json(arguments), "parameter_order": names.joined(separator: ",")]
        if let history { metadata["history"] = try json(history) }
        return SafeTensors(tensors: tensors, metadata: metadata).encoded()
    }
}

extension TrainingRun {
    /// The settings a resumed run must share with the saved one, as sorted JSON: everything but
    /// `epochs` (which may be raised), the output and the run-local options (threads, progress).
    func resumeSettings() throws -> String {
        struct Settings: Encodable {
            var model: ModelConfiguration, training: TrainingConfiguration, evaluation: EvaluationSettings
            var negatives: String, validation: Bool, data: [String: String]
        }
        // The data source field by field (its types are not all Codable).
        var fields: [String: String] = [:]
        for child in Mirror(reflecting: data).children {
            if let label = child.label { fields[label] = String(describing: child.value) }
        }
        var t = training
        t.epochs = 1
        var e = evaluation
        e.threads = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(Settings(model: model, training: t, evaluation: e, negatives: negativeScope.rawValue,
                                                            validation: validation, data: fields)), as: UTF8.self)
    }

    /// Reads ``resume``'s checkpoint, checks it was made by this run's settings, and puts the
    /// trainer (and `recorder`) back where it stood.
    /// - Throws: ``ConfigurationError`` naming the setting that differs, `--epochs` lower than
    ///   the epochs done or changed with a learning-rate decay; ``PersistenceError`` for a
    ///   damaged or old checkpoint.
    func restore(from directory: String, trainer: Trainer, recorder: TrainingHistoryRecorder?) throws -> ResumeCheckpoint.Saved {
        let saved = try ResumeCheckpoint.read(from: directory)
        let mine = try resumeSettings()
        if saved.settings != mine {
            throw ConfigurationError("--resume \(directory): \(Self.settingDifferences(saved: saved.settings, given: mine)); give the flags of the run being resumed, or none of them")
        }
        // The same data, byte for byte: the record's fingerprints (size, CRC-32) of every file read.
        if let record = try ModelCheckpoint.load(from: directory).configuration.dataSource {
            let changed = record.changedFiles()
            if !changed.isEmpty {
                throw ConfigurationError("--resume \(directory): the data changed since the run started (\(changed.joined(separator: "; "))); resuming would train the remaining epochs on other data")
            }
        }
        let done = saved.fit.progress.epochs
        if training.epochs < done {
            throw ConfigurationError("--resume \(directory): {epochs} \(training.epochs) is fewer than the \(done) epochs already trained")
        }
        if training.epochs != saved.epochs, (training.learningRateDecay ?? .none) != .none {
            throw ConfigurationError("--resume \(directory): {epochs} \(training.epochs) differs from the run's \(saved.epochs), and its {learningRateDecay} \(training.learningRateDecay!.rawValue) spans the epochs: the epochs already trained would have had other learning rates")
        }
        try trainer.restoreState(saved.state, file: directory + "/" + ResumeCheckpoint.fileName)
        if let history = saved.history { recorder?.restore(history) }
        return saved
    }

    /// "{field} X (the run being resumed: Y)" for each setting that differs.
    static func settingDifferences(saved: String, given: String) -> String {
        let keys = differingSettings(Data(saved.utf8), Data(given.utf8))
        guard !keys.isEmpty else { return "its settings differ" }
        return keys.prefix(6).map { key in
            let field = key.name.split(separator: ".").last.map(String.init) ?? key.name
            return "{\(field)} \(key.b ?? "unset") differs from the run being resumed (\(key.a ?? "unset"))"
        }.joined(separator: "; ")
    }
}

/// Writes the model directory with its ``ResumeCheckpoint`` after every epoch (every rank takes
/// part in gathering the state, rank 0 alone writes) and keeps the last checkpoint's bytes for
/// the final save.
final class CheckpointWriter {
    private let run: TrainingRun, trainer: Trainer, data: PreparedData, recorder: TrainingHistoryRecorder?
    private let settings: String
    /// The last checkpoint written (or the resumed one), `nil` before the first epoch ends.
    private(set) var last: Data?
    /// Seconds and bytes of the writes so far (for the measurement in docs/DISTRIBUTED.md).
    private(set) var seconds = 0.0, bytes = 0, writes = 0

    init(run: TrainingRun, trainer: Trainer, data: PreparedData, recorder: TrainingHistoryRecorder?, last: Data?) throws {
        self.run = run; self.trainer = trainer; self.data = data; self.recorder = recorder; self.last = last
        settings = try run.resumeSettings()
    }

    func write(_ fit: FitCheckpoint) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let tensors = try trainer.stateTensorsOfAllRanks()  // collective (every rank's dropout generators)
        guard run.communicator.rank == 0 else { return }
        let state = try ResumeCheckpoint.encode(state: tensors, parameterNames: trainer.model.parameters.map(\.name), fit: fit,
                                                history: recorder?.snapshot, settings: settings,
                                                epochs: run.training.epochs, arguments: run.arguments)
        try ModelCheckpoint.save(trainer.model, training: run.training, data: data,
                                 validationSplit: run.validation || run.training.patience != nil,
                                 extraFiles: [ResumeCheckpoint.fileName: state], to: run.output!)
        last = state
        seconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        bytes = state.count
        writes += 1
    }
}
