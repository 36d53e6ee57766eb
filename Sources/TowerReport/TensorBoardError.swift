/// An event file could not be created or written.
///
/// Every case names the path (as the caller spelled it, or the file created in it) and the cause,
/// usually the operating system's `strerror` text, in the form `<path>: cannot <what>: <cause>`.
public enum TensorBoardError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A directory on the way to the event directory could not be created (`path` is the one that
    /// failed, `directory` the one asked for), or exists as something else than a directory.
    case cannotCreateDirectory(directory: String, path: String, reason: String)
    /// The event file could not be created in its directory.
    case cannotCreateFile(path: String, reason: String)
    /// Writing records to the event file failed (disk full, I/O error).
    case cannotWrite(path: String, reason: String)
    /// The writer was used after ``TensorBoardWriter/close()``.
    case closed(path: String)

    public var description: String {
        switch self {
        case let .cannotCreateDirectory(directory, path, reason):
            path == directory
                ? "\(directory): cannot create the TensorBoard directory: \(reason)"
                : "\(directory): cannot create the TensorBoard directory (at \(path)): \(reason)"
        case let .cannotCreateFile(path, reason):
            "\(path): cannot create the TensorBoard event file: \(reason)"
        case let .cannotWrite(path, reason):
            "\(path): cannot write TensorBoard events: \(reason)"
        case let .closed(path):
            "\(path): the TensorBoard event file is already closed"
        }
    }
}
