import Foundation
import TowerCore

extension SyntheticDataset {
    /// Writes `interactions.csv` (header `user_id,item_id,timestamp`, ids = generator indices),
    /// `truth.bin` and `synthetic.json` (the configuration) into `directory` (created if needed).
    ///
    /// `truth.bin`, little-endian: the 8 bytes `TTSYNTH1`, Int64 users, items, factors, Float32
    /// temperature, then Float32 user factors `[users, factors]`, item factors `[items, factors]`,
    /// item log-popularity `[items]`, all row-major.
    public func write(to directory: String) throws(DataError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(file: directory, message: "cannot create the directory")
        }
        var csv = [UInt8]()
        csv.reserveCapacity(log.count * 24 + 32)
        csv.append(contentsOf: Array("user_id,item_id,timestamp\n".utf8))
        let times = log.timestamps ?? [Int64](repeating: 0, count: log.count)
        func appendInt(_ v: Int64) {
            var x = v
            if x < 0 { csv.append(0x2D); x = -x }
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var n = 0
            withUnsafeMutableBytes(of: &digits) { d in
                repeat { d[n] = UInt8(x % 10) + 0x30; x /= 10; n += 1 } while x > 0
                while n > 0 { n -= 1; csv.append(d[n]) }
            }
        }
        for k in 0..<log.count {
            appendInt(Int64(log.userVocabulary.ids[Int(log.users[k])]) ?? Int64(log.users[k])); csv.append(0x2C)
            appendInt(Int64(log.itemVocabulary.ids[Int(log.items[k])]) ?? Int64(log.items[k])); csv.append(0x2C)
            appendInt(times[k]); csv.append(0x0A)
        }
        try FileIO.writeAtomically(csv, to: (directory as NSString).appendingPathComponent("interactions.csv"))

        var bin = [UInt8](Array("TTSYNTH1".utf8))
        func appendLE<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bin.append(contentsOf: $0) } }
        appendLE(Int64(truth.userFactors.rows)); appendLE(Int64(truth.itemFactors.rows)); appendLE(Int64(truth.userFactors.columns))
        appendLE(truth.temperature.bitPattern)
        for v in truth.userFactors.storage { appendLE(v.bitPattern) }
        for v in truth.itemFactors.storage { appendLE(v.bitPattern) }
        for v in truth.itemLogPopularity { appendLE(v.bitPattern) }
        try FileIO.writeAtomically(bin, to: (directory as NSString).appendingPathComponent("truth.bin"))

        let c = configuration
        let json = """
        {
          "users": \(c.users), "items": \(c.items), "interactions": \(log.count), "target_interactions": \(c.interactions),
          "factors": \(c.factors), "temperature": \(c.temperature), "popularity_exponent": \(c.popularityExponent),
          "activity_sigma": \(c.activitySigma), "minimum_activity": \(c.minimumActivity),
          "maximum_activity": \(c.maximumActivity), "seed": \(c.seed),
          "files": {"interactions": "interactions.csv", "truth": "truth.bin"}
        }

        """
        try FileIO.writeAtomically(Array(json.utf8), to: (directory as NSString).appendingPathComponent("synthetic.json"))
    }

    /// Reads `truth.bin` from `directory` (as written by ``write(to:)``); rows are generator indices.
    public static func readTruth(from directory: String) throws(DataError) -> SyntheticTruth {
        let path = (directory as NSString).appendingPathComponent("truth.bin")
        let bytes = try FileIO.readAll(path)
        let name = "truth.bin"
        guard bytes.count >= 36, Array(bytes[0..<8]) == Array("TTSYNTH1".utf8) else {
            throw .unrecognizedFormat(file: name, detail: "expected a TwoTower synthetic truth file starting with TTSYNTH1")
        }
        func int64(_ at: Int) -> Int64 {
            bytes.withUnsafeBytes { Int64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: Int64.self)) }
        }
        func float(_ at: Int) -> Float {
            bytes.withUnsafeBytes { Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        }
        let users = int64(8), items = int64(16), factors = int64(24)
        guard users > 0, items > 0, factors > 0, users < 1 << 31, items < 1 << 31, factors < 1 << 16 else {
            throw .unrecognizedFormat(file: name, detail: "implausible sizes \(users) users, \(items) items, \(factors) factors")
        }
        let floats = Int(users * factors + items * factors + items)
        guard bytes.count == 36 + 4 * floats else {
            throw .unrecognizedFormat(file: name, detail: "expected \(36 + 4 * floats) bytes for \(users) users, \(items) items and \(factors) factors, found \(bytes.count) (truncated?)")
        }
        var values = [Float](repeating: 0, count: floats)
        for k in 0..<floats { values[k] = float(36 + 4 * k) }
        let u = Int(users * factors), v = Int(items * factors)
        return SyntheticTruth(userFactors: Matrix(rows: Int(users), columns: Int(factors), values: Array(values[0..<u])),
                              itemFactors: Matrix(rows: Int(items), columns: Int(factors), values: Array(values[u..<(u + v)])),
                              itemLogPopularity: Array(values[(u + v)...]), temperature: float(32))
    }

    /// Reads a dataset written by ``write(to:)``: the log from `interactions.csv` (vocabularies in
    /// order of first appearance) and the truth aligned to its rows.
    public static func read(from directory: String) throws(DataError) -> (log: InteractionLog, truth: SyntheticTruth) {
        let (log, _) = try DelimitedReader.read(
            path: (directory as NSString).appendingPathComponent("interactions.csv"), format: .csv,
            schema: Schema(user: "user_id", item: "item_id", timestamp: "timestamp", userIdKind: .integer, itemIdKind: .integer))
        let truth = try readTruth(from: directory)
        return (log, try truth.aligned(userVocabulary: log.userVocabulary, itemVocabulary: log.itemVocabulary))
    }
}
