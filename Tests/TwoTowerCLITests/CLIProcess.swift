import Foundation
import Testing

/// The built `twotower` executable run as a child process, its standard output and standard error
/// captured separately (in files, so neither pipe can fill up and block it).
struct CLIProcess {
    /// The executable beside the test bundle (`.build/<triple>/debug/twotower`, built with the
    /// tests), else `.build/debug/twotower` under the package root.
    static var executable: String? {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["TWOTOWER_BIN"] { candidates.append(env) }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(runner.deletingLastPathComponent().appendingPathComponent("twotower").path)
        // The bundle's own directory on macOS: .../debug/TwoTowerPackageTests.xctest/Contents/MacOS/...
        candidates.append(runner.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("twotower").path)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/twotower").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    let process = Process()
    let stdoutPath: String
    let stderrPath: String

    /// Starts `twotower arguments...` in the working directory `directory`, writing its streams to files there.
    init(_ arguments: [String], directory: String, name: String = "run") throws {
        guard let executable = Self.executable else {
            throw CLIProcessError("the twotower executable was not found beside the tests (build with `swift build --build-tests`) or in TWOTOWER_BIN")
        }
        stdoutPath = "\(directory)/\(name).stdout"
        stderrPath = "\(directory)/\(name).stderr"
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// Runs `twotower arguments...` to the end.
    static func run(_ arguments: [String], directory: String, name: String = "run") throws
        -> (status: Int32, stdout: String, stderr: String) {
        let p = try CLIProcess(arguments, directory: directory, name: name)
        p.process.waitUntilExit()
        return (p.process.terminationStatus, p.stdout, p.stderr)
    }

    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Waits until standard error contains `text` or the process ends; `false` if it never did
    /// within `limit` seconds (a guard against a hang, not a timing assertion).
    func waitForStandardError(containing text: String, limit: Double = 300) -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while Date() < deadline {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            usleep(20_000)
        }
        return false
    }
}

struct CLIProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
