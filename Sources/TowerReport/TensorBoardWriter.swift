import Foundation

/// Writes scalars to a TensorBoard event file, as `tf.summary.scalar` does; view them with
/// `tensorboard --logdir DIR`.
///
/// ``init(directory:wallTime:hostname:)`` creates `DIR` (and its parents) and in it a new file
/// named as TensorFlow names them, `events.out.tfevents.<unix seconds>.<hostname>`. The file is a
/// TFRecord file (``TFRecordWriter``) of `Event` messages (``TensorBoardEvent``; TensorFlow's
/// `event.proto` and `summary.proto`); the first says `file_version: "brain.Event:2"`. Every
/// ``scalar(tag:value:step:wallTime:)`` adds one event; records reach the file on ``flush()``,
/// when 64 KiB are pending, and on ``close()``. Not thread-safe.
public final class TensorBoardWriter {
    /// The directory given (created if missing).
    public let directory: String
    /// The event file's path in it.
    public let path: String
    private let records: TFRecordWriter

    /// Creates `directory` if needed and a new event file in it, and writes the file-version event.
    /// - Parameters:
    ///   - wallTime: Unix seconds of the file's creation (its name and first event).
    ///   - hostname: the name's last part (default: this machine's).
    /// - Throws: ``TensorBoardError`` naming the directory or file and the cause.
    public init(directory: String, wallTime: Double = Date().timeIntervalSince1970,
                hostname: String? = nil) throws {
        try EventDirectory.create(directory)
        let file = try EventDirectory.createFile(in: directory, wallTime: wallTime,
                                                 hostname: hostname ?? EventDirectory.hostname())
        self.directory = directory
        path = file.path
        records = TFRecordWriter(handle: file.handle, path: file.path)
        try write(TensorBoardEvent(wallTime: wallTime, step: 0,
                                   content: .fileVersion(TensorBoardEvent.currentFileVersion)))
        try flush()  // the file is recognisable at once
    }

    /// Records one event.
    /// - Throws: ``TensorBoardError/cannotWrite(path:reason:)``, ``TensorBoardError/closed(path:)``.
    public func write(_ event: TensorBoardEvent) throws {
        try records.write(event.encoded())
    }

    /// Records `value` in the series `tag` at `step`.
    /// - Parameters:
    ///   - tag: the series, e.g. `train/loss`.
    ///   - value: the value (TensorBoard stores scalars as 32-bit floats).
    ///   - step: the x coordinate (a global step or an epoch number).
    ///   - wallTime: Unix seconds (default: now).
    /// - Throws: ``TensorBoardError/cannotWrite(path:reason:)``, ``TensorBoardError/closed(path:)``.
    public func scalar(tag: String, value: Float, step: Int, wallTime: Double? = nil) throws {
        try write(TensorBoardEvent(wallTime: wallTime ?? Date().timeIntervalSince1970, step: Int64(step),
                                   content: .summary([.init(tag: tag, value: value)])))
    }

    /// Hands the pending events to the file (readers see them afterwards).
    /// - Throws: ``TensorBoardError/cannotWrite(path:reason:)``, ``TensorBoardError/closed(path:)``.
    public func flush() throws {
        try records.flush()
    }

    /// Flushes and closes the file; later calls do nothing, later writes throw.
    /// - Throws: ``TensorBoardError/cannotWrite(path:reason:)`` if the final flush fails.
    public func close() throws {
        try records.close()
    }

    /// Events recorded so far, including the file-version event.
    public var eventCount: Int { records.recordCount }
}
