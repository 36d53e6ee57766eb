import Foundation
import Testing
@testable import TowerData
#if canImport(Glibc)
import Glibc
#endif

/// A path that cannot be opened is reported with the path and the system's reason (a symlink
/// loop, a permission, a file used as a directory), not as a missing file.
@Suite struct PathErrorTests {
    func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// `a → b → a` in a fresh directory, each link named `name`'s stem plus a suffix.
    func symlinkLoop(in f: Fixtures, named name: String) -> String {
        let first = f.path(name), second = f.path(name + ".other")
        #expect(symlink(second, first) == 0 && symlink(first, second) == 0)
        return first
    }

    @Test func aSymlinkLoopIsReportedAsOne() throws {
        let f = Fixtures(); defer { f.remove() }
        let loop = reason(ELOOP)
        for name in ["log.csv", "train.txt", "ratings.csv", "data"] {
            let path = symlinkLoop(in: f, named: name)
            let expected = DataError.io(file: path, message: "cannot open the file (\(loop))")
            let readers: [(String, () throws -> Void)] = [
                ("delimited", { _ = try DelimitedReader.read(path: path) }),
                ("lightgcn", { _ = try LightGCNReader.read(path: path) }),
                ("movielens", { _ = try MovieLensReader.read(path: path) }),
            ]
            for (reader, read) in readers {
                let error = dataError(read)
                #expect(error == expected, "\(reader) \(name): \(String(describing: error))")
                #expect(!"\(String(describing: error))".lowercased().contains("no such file"))
            }
        }
    }

    @Test func aFileUsedAsADirectoryIsNotADirectory() throws {
        let f = Fixtures(); defer { f.remove() }
        let file = f.write("plain.csv", "user_id,item_id\n1,2\n")
        let path = file + "/ratings.csv"
        #expect(dataError { try MovieLensReader.read(path: path) } == .io(file: path, message: "cannot open the file (\(reason(ENOTDIR)))"))
        #expect(dataError { try DelimitedReader.read(path: path) } == .io(file: path, message: "cannot open the file (\(reason(ENOTDIR)))"))
    }

    @Test func missingFilesAreStillMissing() throws {
        let f = Fixtures(); defer { f.remove() }
        let path = f.path("none.csv")
        #expect(dataError { try MovieLensReader.read(path: path) } == .io(file: path, message: "cannot open the file (\(reason(ENOENT)))"))
    }

    /// Root may read anything: the permission case is only checked for other users.
    @Test(.enabled(if: getuid() != 0)) func anUnreadableDirectoryIsPermissionDenied() throws {
        let f = Fixtures(); defer { chmod(f.path("locked"), 0o755); f.remove() }
        let locked = f.path("locked")
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        _ = f.write("locked/ratings.csv", "userId,movieId,rating,timestamp\n1,2,3,4\n")
        #expect(chmod(locked, 0) == 0)
        #expect(dataError { try MovieLensReader.read(path: locked) } == .io(file: locked, message: "cannot open the directory (\(reason(EACCES)))"))
        let inside = locked + "/ratings.csv"
        #expect(dataError { try DelimitedReader.read(path: inside) } == .io(file: inside, message: "cannot open the file (\(reason(EACCES)))"))
    }
}
