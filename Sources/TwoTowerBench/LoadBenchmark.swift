import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TowerData

/// `twotower-bench load`: parse speed and resident memory of the readers, and one epoch of batching.
struct LoadBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Reader speed (lines/s), resident bytes per interaction, and one epoch of batch iteration.")

    @Flag(help: "Print one JSON object per file (fields file, lines_per_second, bytes_per_interaction).")
    var json = false

    @Option(help: "MovieLens ratings.csv to time (skipped with a note when missing).")
    var ratings = "../shared/data/ml-latest-small/ratings.csv"

    @Option(help: "Lines of the generated two-column CSV.")
    var lines = 1_000_000

    @Option(help: "Timed repetitions (the best is reported).")
    var repeats = 5

    @Option(help: "Batch size for the batching epoch.")
    var batchSize = 1024

    func validate() throws {
        for (flag, value) in [("--lines", lines), ("--repeats", repeats), ("--batch-size", batchSize)] where value < 1 {
            throw ValidationError("\(flag) must be positive, found \(value)")
        }
    }

    func run() throws {
        let directory = NSTemporaryDirectory() + "twotower-bench-load-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/two-column.csv"
        try writeTwoColumnFile(path: path, lines: lines)

        var results: [(file: String, result: LoadResult)] = []
        let twoColumn = try measure(repeats: repeats) {
            try DelimitedReader.read(path: path, schema: Schema(user: "user_id", item: "item_id")).log
        }
        results.append(("two-column.csv (\(lines) lines)", twoColumn))
        if FileManager.default.fileExists(atPath: ratings) {
            let ml = try measure(repeats: repeats) {
                try MovieLensReader.read(path: ratings, sideFeatures: false).log
            }
            results.append((ratings, ml))
        } else if !json {
            print("note: \(ratings) not found, skipped")
        }

        // One epoch of batch iteration over the two-column log.
        let log = try DelimitedReader.read(path: path, schema: Schema()).log
        let iterator = BatchIterator(log: log, batchSize: batchSize, dropLast: false, seed: 1)
        var checksum = 0
        let start = DispatchTime.now().uptimeNanoseconds
        iterator.startEpoch(1)
        while let batch = iterator.next() { checksum &+= Int(batch.items[0]) &+ batch.count }
        let epochSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9

        // The default synthetic dataset (what `twotower train` generates first).
        let synthStart = DispatchTime.now().uptimeNanoseconds
        let synthetic = SyntheticDataset.generate()
        let synthSeconds = Double(DispatchTime.now().uptimeNanoseconds - synthStart) / 1e9
        let stats = DatasetStatistics(synthetic.log)

        for (file, r) in results {
            if json {
                print("{\"file\": \"\(file)\", \"lines_per_second\": \(Int(r.linesPerSecond)), \"bytes_per_interaction\": \(String(format: "%.1f", r.bytesPerInteraction)), \"interactions\": \(r.interactions), \"seconds\": \(String(format: "%.4f", r.seconds)), \"peak_rss_mb\": \(String(format: "%.1f", r.peakMB))}")
            } else {
                print(String(format: "%@: %d interactions in %.3f s = %.2f M lines/s; resident %.1f B/interaction; peak RSS %.1f MB",
                             file, r.interactions, r.seconds, r.linesPerSecond / 1e6, r.bytesPerInteraction, r.peakMB))
            }
        }
        if json {
            print("{\"file\": \"synthetic-default\", \"interactions\": \(synthetic.log.count), \"seconds\": \(String(format: "%.3f", synthSeconds)), \"top_1_percent_share\": \(String(format: "%.3f", stats.topOnePercentShare)), \"gini\": \(String(format: "%.3f", stats.giniItemPopularity))}")
        } else {
            print(String(format: "synthetic default: %d interactions generated in %.3f s", synthetic.log.count, synthSeconds))
            print(stats.description)
        }
        if json {
            print("{\"file\": \"batch-epoch\", \"batch_size\": \(batchSize), \"interactions\": \(log.count), \"seconds\": \(String(format: "%.4f", epochSeconds)), \"examples_per_second\": \(Int(Double(log.count) / epochSeconds)), \"checksum\": \(checksum)}")
        } else {
            print(String(format: "batch epoch: %d interactions, batch %d, %.4f s (%.1f M examples/s)",
                         log.count, batchSize, epochSeconds, Double(log.count) / epochSeconds / 1e6))
        }
    }
}

struct LoadResult {
    var interactions: Int
    var seconds: Double
    var linesPerSecond: Double
    var bytesPerInteraction: Double
    var peakMB: Double
}

/// Loads once for memory (resident growth while the log is held), then `repeats` times for the best time.
private func measure(repeats: Int, _ load: () throws -> InteractionLog) throws -> LoadResult {
    // Freed heap memory is returned to the system first, so growth counts only what the log holds.
    trimHeap()
    let before = residentKB(field: "VmRSS")
    var log: InteractionLog? = try load()
    trimHeap()
    let after = residentKB(field: "VmRSS")
    let n = log!.count
    log = nil
    var best = Double.infinity
    for _ in 0..<max(1, repeats) {
        let start = DispatchTime.now().uptimeNanoseconds
        let l = try load()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        precondition(l.count == n, "load benchmark: \(l.count) rows, expected \(n)")
    }
    _ = log
    return LoadResult(interactions: n, seconds: best, linesPerSecond: Double(n) / best,
                      bytesPerInteraction: Double(max(0, after - before)) * 1024 / Double(n),
                      peakMB: Double(residentKB(field: "VmHWM")) / 1024)
}

private func trimHeap() {
    #if canImport(Glibc)
    // glibc's malloc_trim, looked up at run time (the Glibc module does not export it).
    typealias Trim = @convention(c) (Int) -> Int32
    if let symbol = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(symbol, to: Trim.self)(0) }
    #endif
}

/// A field of /proc/self/status in kB (0 where unavailable).
private func residentKB(field: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
    }
    return 0
}

/// `user_id,item_id` lines with ids drawn from fixed ranges (100,000 users, 50,000 items).
private func writeTwoColumnFile(path: String, lines: Int) throws {
    var bytes = [UInt8]()
    bytes.reserveCapacity(lines * 14 + 32)
    bytes.append(contentsOf: Array("user_id,item_id\n".utf8))
    var state: UInt64 = 0x1234_5678
    func appendInt(_ v: Int) {
        var x = v, digits = [UInt8](), _ = 0
        repeat { digits.append(UInt8(x % 10) + 0x30); x /= 10 } while x > 0
        bytes.append(contentsOf: digits.reversed())
    }
    for _ in 0..<lines {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let user = Int((state >> 33) % 100_000)
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let item = Int((state >> 33) % 50_000)
        appendInt(user); bytes.append(0x2C); appendInt(item); bytes.append(0x0A)
    }
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
        throw ValidationError("cannot write \(path)")
    }
}
