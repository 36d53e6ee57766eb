import Foundation
import TowerCore
import TowerFormats
import TwoTower

/// The resumable checkpoint a ``TrainingRun`` with an ``TrainingRun/output`` writes into its
/// model directory (after epochs chosen by ``TrainingRun/checkpointEvery``, a
/// ``CheckpointSchedule``, and in the final save): the model directory itself (``ModelCheckpoint``: the
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
/// With ``CheckpointSchedule/never`` (`--checkpoint-every 0`) there is no such file.
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
        /// The model directory's data record (`config.json`'s `data_source`: absolute paths and
        /// fingerprints of the files read); `nil` for a model saved before records existed.
        public var dataSource: DataSourceRecord?
    }

    /// The command line the run in `directory` was started with (for `train --resume`).
    /// - Throws: ``PersistenceError`` as ``read(from:)``.
    public static func arguments(in directory: String) throws -> [String] {
        try read(from: directory).arguments
    }

    /// The command line the run in `directory` was started with and its data record, whose
    /// absolute paths replace a relative `--data`/`--test` of the command line (so a run resumes
    /// from any working directory).
    /// - Throws: ``PersistenceError`` as ``read(from:)``.
    public static func launch(in directory: String) throws -> (arguments: [String], data: DataSourceRecord?) {
        let saved = try read(from: directory)
        return (saved.arguments, saved.dataSource)
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
            throw PersistenceError.missingFile(directory: directory, file: fileName + " (the resumable checkpoint: this model was saved without one — by an older twotower, by train --checkpoint-every 0, or not by train)")
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
                     arguments: try decode([String].self, "arguments"), bytes: data, dataSource: contents.config.dataSource)
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
    /// Reads ``resume``'s checkpoint, checks it was made by this run's settings, and puts the
    /// trainer (and `recorder`) back where it stood.
    /// - Throws: ``ConfigurationError`` naming the setting that differs, `--epochs` lower than
    ///   the epochs done or changed with a learning-rate decay; ``PersistenceError`` for a
    ///   damaged or old checkpoint.
    func restore(from directory: String, trainer: Trainer, recorder: TrainingHistoryRecorder?) throws -> ResumeCheckpoint.Saved {
        let saved = try ResumeCheckpoint.read(from: directory)
        let mine = try resumeSettings()
        let theirs = Self.currentSettingSpelling(saved.settings)
        if theirs != mine, !Self.sameSettings(theirs, mine) {
            throw ConfigurationError("--resume \(directory): \(Self.settingDifferences(saved: theirs, given: mine)); give the flags of the run being resumed, or none of them")
        }
        // The same data, byte for byte: the files this run reads are the recorded ones (by absolute
        // path), and the record's fingerprints (size, CRC-32) of every file read still hold.
        if let record = saved.dataSource {
            let reads = try data.filesRead().map(FileFingerprint.absolute), recorded = record.files.map(\.path)
            if reads != recorded {
                let what = data.path.map { "{path} \($0)" + (data.testPath.map { " with {testPath} \($0)" } ?? "") } ?? "the built-in synthetic data"
                throw ConfigurationError("--resume \(directory): \(what) reads \(reads.isEmpty ? "no file" : reads.joined(separator: ", ")), the run being resumed read \(recorded.isEmpty ? "no file (synthetic data)" : recorded.joined(separator: ", ")); give the run's data or leave the data flags out")
            }
            let changed = record.changedFiles()
            if !changed.isEmpty {
                throw ConfigurationError("--resume \(directory): the data changed since the run started (\(changed.joined(separator: "; "))); resuming would train the remaining epochs on other data")
            }
        }
        let done = saved.fit.progress.epochs
        if training.epochs < done {
            throw ConfigurationError("--resume \(directory): {epochs} \(training.epochs) is fewer than the \(done) epoch\(done == 1 ? "" : "s") already trained")
        }
        if training.epochs != saved.epochs, (training.learningRateDecay ?? .none) != .none {
            throw ConfigurationError("--resume \(directory): {epochs} \(training.epochs) differs from the run's \(saved.epochs), and its {learningRateDecay} \(training.learningRateDecay!.rawValue) spans the epochs: the epochs already trained would have had other learning rates")
        }
        try trainer.restoreState(saved.state, file: directory + "/" + ResumeCheckpoint.fileName)
        if let history = saved.history { recorder?.restore(history) }
        return saved
    }
}

/// Keeps the ``ResumeCheckpoint`` of the last completed epoch (every rank takes part in
/// gathering the state, rank 0 alone keeps and writes it) and writes the model directory with it
/// when ``TrainingRun/checkpointEvery`` says so; the final save takes ``latest()``.
final class CheckpointWriter {
    private let run: TrainingRun, trainer: Trainer, data: PreparedData, recorder: TrainingHistoryRecorder?
    private let settings: String
    /// The last completed epoch's state, not yet encoded (encoded when written or saved).
    private var pending: (state: [String: StoredTensor], fit: FitCheckpoint, history: TrainingHistoryRecorder.Snapshot?)?
    /// The last checkpoint encoded (or the resumed one).
    private var encoded: Data?
    /// Seconds of all checkpoint work (gathering the state every epoch, the writes), the size of
    /// the last file and the writes to disk so far (for the log line and docs/DISTRIBUTED.md).
    private(set) var seconds = 0.0, bytes = 0, writes = 0
    private var lastWriteEnd: Double, lastWriteSeconds = 0.0

    init(run: TrainingRun, trainer: Trainer, data: PreparedData, recorder: TrainingHistoryRecorder?, last: Data?) throws {
        self.run = run; self.trainer = trainer; self.data = data; self.recorder = recorder; self.encoded = last
        settings = try run.resumeSettings()
        lastWriteEnd = Self.now()
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// The checkpoint of the last completed epoch (`nil` before the first ends).
    func latest() throws -> Data? {
        if let p = pending {
            encoded = try ResumeCheckpoint.encode(state: p.state, parameterNames: trainer.model.parameters.map(\.name), fit: p.fit,
                                                  history: p.history, settings: settings,
                                                  epochs: run.training.epochs, arguments: run.arguments)
            pending = nil
        }
        return encoded
    }

    /// At the end of an epoch: keeps its state and writes it when due. The end of the first pass
    /// is not written when nothing but evaluation follows (the final save writes it); it is, when
    /// due, before a refit.
    func write(_ fit: FitCheckpoint) throws {
        let start = Self.now()
        let tensors = try trainer.stateTensorsOfAllRanks()  // collective (every rank's dropout generators)
        guard run.communicator.rank == 0 else { return }
        pending = (tensors, fit, recorder?.snapshot)
        let p = fit.progress
        let lastOfPass = p.stoppedEarly || p.epochs >= run.training.epochs
        let refitFollows = run.refit && run.training.patience != nil
        let due = run.checkpointEvery.writes(afterEpoch: p.epochs, sinceLastWrite: start - lastWriteEnd,
                                             lastWriteSeconds: lastWriteSeconds)
        if due, !lastOfPass || refitFollows {
            let state = try latest()!
            try ModelCheckpoint.save(trainer.model, training: run.training, data: data,
                                     validationSplit: run.validation || run.training.patience != nil,
                                     extraFiles: [ResumeCheckpoint.fileName: state], to: run.output!)
            bytes = state.count
            writes += 1
            lastWriteEnd = Self.now()
            lastWriteSeconds = lastWriteEnd - start
        }
        seconds += Self.now() - start
    }
}
