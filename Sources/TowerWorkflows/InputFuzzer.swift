import Foundation
import TowerCore
import TowerData
import TowerFormats
import TwoTower

/// A reproducible mutation fuzzer for every reader and the model-directory loader (issue 11's
/// lasting guard): small valid inputs (CSV, MovieLens `ratings.csv`/`u.data`/`ratings.dat` and
/// `movies.csv`, LightGCN train/test, a saved model's `config.json`, vocabularies and
/// safetensors) get seeded byte mutations — flips, truncations, huge numbers, control bytes,
/// duplicated and deleted lines — and each is read. A read must return or throw one of the
/// project's typed errors (``DataError``, ``PersistenceError``, ``ConfigurationError``), whose
/// messages name the file; anything else is a finding. A crash or a hang stops the run itself, so
/// the seed and case number printed before each batch reproduce it.
///
/// Used by `twotower-bench fuzz --iterations N --seed S` and by a short test.
public struct InputFuzzer {
    /// One input that did not end in a typed error.
    public struct Finding: Sendable, CustomStringConvertible {
        public var iteration: Int
        public var target: String
        public var error: String
        public var description: String { "case \(iteration) (\(target)): \(error)" }
    }

    /// What a run covered.
    public struct Summary: Sendable {
        public var cases = 0
        public var accepted = 0
        public var rejected = 0
        public var findings: [Finding] = []
        /// The slowest single read, seconds (a hang shows here long before a time-out).
        public var slowestCase = 0.0
        public var slowestTarget = ""
    }

    let directory: String
    var rng: Xoshiro256

    /// Prepares the seed inputs in `directory` (created; the caller removes it).
    public init(directory: String, seed: UInt64) throws {
        self.directory = directory
        rng = Xoshiro256(seed: seed)
        try FileManager.default.createDirectory(atPath: directory + "/model", withIntermediateDirectories: true)
        try Self.saveSeedModel(to: directory + "/model/m")
    }

    static let seeds: [(name: String, text: String)] = [
        ("log.csv", "user_id,item_id,rating,timestamp\nu1,i1,4.5,100\n\"u2\",\"i,2\",3,200\r\nu3,\"x\"\"y\",1e0,300\nu1,i2,2,400\n"),
        ("ratings.csv", "userId,movieId,rating,timestamp\n1,10,4.5,964982703\n2,10,3,964982704\n1,20,1,964982705\n3,30,5,964982706\n"),
        ("u.data", "1\t10\t3\t881250949\n2\t20\t4\t891717742\n1\t20\t5\t878887116\n"),
        ("ratings.dat", "1::10::5::978300760\n2::20::3::978302109\n1::20::4::978301968\n"),
        ("train.txt", "0 1 2 3\n1 2 3\n2 0 4\n"),
        ("test.txt", "0 4\n1 0 1\n2 3\n"),
        ("movies.csv", "movieId,title,genres\n10,A (1995),Drama|Comedy\n20,\"B, the\",Action\n30,C,(no genres listed)\n"),
    ]

    static let hugeNumbers = ["1e400", "-1e400", "1e-400", "99999999999999999999999", "-9223372036854775809",
                              "0.0000000000000000000000000000000000000000000001", "nan", "inf", "4" + String(repeating: "9", count: 400)]

    /// Applies 1–4 seeded mutations.
    mutating func mutate(_ base: [UInt8]) -> [UInt8] {
        var b = base
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            let pos = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count))
            switch rng.next() % 8 {
            case 0 where !b.isEmpty: b[pos] ^= UInt8(1 << (rng.next() % 8))
            case 1: b = Array(b.prefix(pos))
            case 2: b.insert(contentsOf: Array(Self.hugeNumbers[Int(rng.next() % UInt64(Self.hugeNumbers.count))].utf8), at: pos)
            case 3: b.insert([0x00, 0x09, 0x0A, 0x0D, 0x7F, 0x22, 0x2C, 0x20, 0xFF, 0xC3][Int(rng.next() % 10)], at: pos)
            case 4:
                // Duplicate the line holding `pos`.
                let start = b[..<pos].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
                let end = b[pos...].firstIndex(of: 0x0A).map { $0 + 1 } ?? b.count
                b.insert(contentsOf: Array(b[start..<end]), at: end)
            case 5 where !b.isEmpty: b.removeSubrange(pos..<min(b.count, pos + 1 + Int(rng.next() % 8)))
            case 6: b.insert(contentsOf: (0..<(1 + Int(rng.next() % 6))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: pos)
            default: if !b.isEmpty { b[pos] = [0x30, 0x2D, 0x2B, 0x2E, 0x65, 0x3A][Int(rng.next() % 6)] }
            }
        }
        return b
    }

    /// Runs `iterations` cases; `progress` is told each case number before it runs.
    public mutating func run(iterations: Int, progress: (Int) -> Void = { _ in }) -> Summary {
        var summary = Summary()
        let modelDir = directory + "/model/m"
        let modelFiles = ((try? FileManager.default.contentsOfDirectory(atPath: modelDir)) ?? []).sorted()
        for n in 0..<iterations {
            progress(n)
            let pick = Int(rng.next() % UInt64(Self.seeds.count + modelFiles.count))
            if pick < Self.seeds.count {
                let seed = Self.seeds[pick]
                let path = directory + "/" + seed.name
                let bytes = mutate(Array(seed.text.utf8))
                FileManager.default.createFile(atPath: path, contents: Data(bytes))
                for (target, read) in readers(for: seed.name, path: path) {
                    record(target: target, iteration: n, into: &summary, read)
                }
                FileManager.default.createFile(atPath: path, contents: Data(seed.text.utf8))
            } else {
                let file = modelDir + "/" + modelFiles[pick - Self.seeds.count]
                guard let original = FileManager.default.contents(atPath: file) else { continue }
                FileManager.default.createFile(atPath: file, contents: Data(mutate(Array(original))))
                record(target: "model/" + (file as NSString).lastPathComponent, iteration: n, into: &summary) {
                    _ = try ModelCheckpoint.load(from: modelDir).model()
                }
                FileManager.default.createFile(atPath: file, contents: original)
            }
        }
        return summary
    }

    private func record(target: String, iteration: Int, into s: inout Summary, _ read: () throws -> Void) {
        let start = Date()
        s.cases += 1
        do { try read(); s.accepted += 1 } catch is DataError { s.rejected += 1 } catch is PersistenceError {
            s.rejected += 1
        } catch is ConfigurationError { s.rejected += 1 } catch {
            s.findings.append(Finding(iteration: iteration, target: target, error: "\(type(of: error)): \(error)"))
        }
        let t = Date().timeIntervalSince(start)
        if t > s.slowestCase { s.slowestCase = t; s.slowestTarget = target }
    }

    private func readers(for name: String, path: String) -> [(String, () throws -> Void)] {
        let small = ReadOptions(maxLineBytes: 256), skip = ReadOptions(skipBadLines: true)
        switch name {
        case "log.csv":
            return [("csv", { _ = try DelimitedReader.read(path: path, schema: Schema(timestamp: "timestamp", rating: "rating")) }),
                    ("csv skip", { _ = try DelimitedReader.read(path: path, schema: Schema(rating: "rating"), options: skip) }),
                    ("csv small", { _ = try DelimitedReader.read(path: path, options: small) })]
        case "ratings.csv", "u.data", "ratings.dat":
            return [(name, { _ = try MovieLensReader.read(path: path) }),
                    (name + " skip", { _ = try MovieLensReader.read(path: path, options: skip) })]
        case "movies.csv":
            let ratings = directory + "/ratings.csv"
            return [("movies.csv", { _ = try MovieLensReader.read(path: ratings) }),
                    ("movies.csv skip", { _ = try MovieLensReader.read(path: ratings, options: skip) })]
        case "train.txt":
            return [("lightgcn", { _ = try LightGCNReader.read(path: path) }),
                    ("lightgcn skip", { _ = try LightGCNReader.read(path: path, options: skip) })]
        default:
            let train = directory + "/train.txt"
            return [("lightgcn test", {
                let log = try LightGCNReader.read(path: train).log
                _ = try LightGCNReader.read(path: path, options: skip, vocabularies: (log.userVocabulary, log.itemVocabulary))
            })]
        }
    }

    /// A small MLP model with a history bag, saved as `train --output` saves it.
    static func saveSeedModel(to dir: String) throws {
        var config = ModelConfiguration()
        config.tower = .mlp
        config.dimensions = 4
        config.hiddenLayers = [6]
        let model = TwoTowerModel(configuration: config, userCount: 3, itemCount: 4, seed: 1)
        let users = Vocabulary(name: "user", ids: ["1", "2", "3"]), items = Vocabulary(name: "item", ids: ["10", "20", "30", "40"])
        let log = InteractionLog(users: [0, 1, 2], items: [0, 1, 3], userVocabulary: users, itemVocabulary: items)
        try ModelCheckpoint.save(model, training: TrainingConfiguration(), userVocabulary: users, itemVocabulary: items,
                                 trainItemsByUser: UserItemLists(log), dataName: "fuzz", to: dir)
    }
}
