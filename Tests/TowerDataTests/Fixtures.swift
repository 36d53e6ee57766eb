import Foundation
import TowerTestSupport
@testable import TowerData

/// Writes test fixtures into a fresh temporary directory.
struct Fixtures {
    let directory: String

    init(_ name: String = "towerdata") {
        directory = temporaryDirectory(name)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Writes `text` (UTF-8) as `name`; returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        write(name, bytes: Array(text.utf8))
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) -> String {
        let path = directory + "/" + name
        let written = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        precondition(written, "could not write the fixture \(path)")
        return path
    }

    func path(_ name: String) -> String { directory + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// The raw (user, item) id pairs of a log, in order.
func pairs(_ log: InteractionLog) -> [String] {
    (0..<log.count).map { log.userVocabulary.ids[Int(log.users[$0])] + ":" + log.itemVocabulary.ids[Int(log.items[$0])] }
}

/// The error a throwing expression raised, as DataError.
func dataError<T>(_ body: () throws -> T) -> DataError? {
    do { _ = try body(); return nil } catch let e as DataError { return e } catch { return nil }
}
