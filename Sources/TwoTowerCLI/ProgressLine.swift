import Foundation

/// A one-line `label: done/total (p%)` progress display on standard error for batch jobs
/// (`recommend --all-users`), redrawn in place on a terminal (at most every 0.2 s) and written
/// once at the end otherwise, so logs stay clean.
final class ProgressLine {
    let label: String
    let total: Int
    private let terminal = isatty(STDERR_FILENO) != 0
    private var lastDraw = 0.0

    init(label: String, total: Int) { self.label = label; self.total = total }

    func update(_ done: Int, _ total: Int) {
        guard terminal else { return }
        let now = Date().timeIntervalSince1970
        guard now - lastDraw >= 0.2 || done == total else { return }
        lastDraw = now
        FileHandle.standardError.write(Data("\r\u{1B}[K\(label): \(done)/\(total) users (\(100 * done / max(total, 1))%)".utf8))
    }

    /// Clears the line on a terminal and writes the final count.
    func finish() {
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        printDiagnostic("\(label): \(total)/\(total) users")
    }
}
