import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The directory an event file goes into, and the file's name there.
enum EventDirectory {
    /// Creates `directory` and its missing parents (mode 0755, like `mkdir -p`).
    /// - Throws: ``TensorBoardError/cannotCreateDirectory(directory:path:reason:)`` naming the
    ///   component that failed and the system's reason (or that it is not a directory).
    static func create(_ directory: String) throws {
        guard !directory.isEmpty else {
            throw TensorBoardError.cannotCreateDirectory(directory: directory, path: directory, reason: "the path is empty")
        }
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: prefix, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw TensorBoardError.cannotCreateDirectory(directory: directory, path: prefix,
                                                                 reason: "it exists and is not a directory")
                }
                continue
            }
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw TensorBoardError.cannotCreateDirectory(directory: directory, path: prefix,
                                                             reason: String(cString: strerror(errno)))
            }
        }
    }

    /// TensorFlow's event file name, `events.out.tfevents.<unix seconds, 10 digits>.<hostname>`
    /// (`tensorflow/core/util/events_writer.cc`), with `.<n>` appended for the `n`-th retry when a
    /// file of that name exists.
    static func fileName(wallTime: Double, hostname: String, attempt: Int = 0) -> String {
        let seconds = Int64(exactly: wallTime.rounded(.down)) ?? 0  // 0 for NaN, infinities, out of range
        let digits = String(seconds)
        let padded = String(repeating: "0", count: max(0, 10 - digits.count)) + digits
        return "events.out.tfevents.\(padded).\(hostname)" + (attempt > 0 ? ".\(attempt)" : "")
    }

    /// This machine's host name (`gethostname`), `localhost` if it has none.
    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let safe = name.replacingOccurrences(of: "/", with: "_")
        return safe.isEmpty ? "localhost" : safe
    }

    /// Creates a new event file in `directory` (never replacing one: a name already taken gets a
    /// `.1`, `.2`, … suffix) and returns its path and an open handle.
    /// - Throws: ``TensorBoardError/cannotCreateFile(path:reason:)`` with the system's reason.
    static func createFile(in directory: String, wallTime: Double, hostname: String) throws -> (path: String, handle: FileHandle) {
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        var attempt = 0
        while true {
            let path = base + fileName(wallTime: wallTime, hostname: hostname, attempt: attempt)
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if descriptor >= 0 {
                return (path, FileHandle(fileDescriptor: descriptor, closeOnDealloc: true))
            }
            let reason = errno
            guard reason == EEXIST, attempt < 1000 else {
                throw TensorBoardError.cannotCreateFile(path: path, reason: String(cString: strerror(reason)))
            }
            attempt += 1
        }
    }
}
