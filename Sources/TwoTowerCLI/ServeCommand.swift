import ArgumentParser
import Logging
import TowerServing
import TwoTower

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a saved model over HTTP: recommend, similar items, embedding search (docs/SERVING.md).",
        discussion: """
            SIGTERM or SIGINT stop accepting connections, finish in-flight requests and exit 0; \
            SIGHUP (or POST /admin/reload) reloads the model directory, keeping the old model if the new one fails to load.
            """)

    @Option(name: .long, help: ArgumentHelp("The model directory written by `train --output`.", valueName: "dir"))
    var model: String

    @Option(name: .long, help: "Address to bind (loopback by default).")
    var host = "127.0.0.1"

    @Option(name: .long, parsing: .unconditional, help: "TCP port (0 picks a free one and logs it).")
    var port = 8080

    @Option(name: .customLong("max-k"), parsing: .unconditional, help: "Largest k a request may ask for.")
    var maxK = 1000

    @Option(name: .customLong("max-batch"), parsing: .unconditional, help: "Largest dynamic batch of queries scored together (1 turns batching off).")
    var maxBatch = 64

    @Option(name: .customLong("max-wait-us"), parsing: .unconditional, help: "Longest a query waits for others to batch with while a batch is being ranked, microseconds.")
    var maxWaitMicroseconds = 500

    @Flag(name: .customLong("wait-when-idle"), help: "Let a query on an idle server wait --max-wait-us for others too (larger batches, slower answers at low load).")
    var waitsWhenIdle = false

    @Option(name: .long, parsing: .unconditional, help: "Scoring threads (default: one per core).")
    var threads: Int?

    @Option(name: .customLong("max-body-bytes"), parsing: .unconditional, help: "Largest request body (larger: 413).")
    var maxBodyBytes = 1 << 20

    @Option(name: .long, help: ArgumentHelp("How items are scored: float32 (exact), or bfloat16[:R] — bfloat16 candidates (about twice the throughput on CPUs with AVX512_BF16), the best R·k re-scored in float32 (R defaults to 4; scores returned are the float32 scores).", valueName: "precision"))
    var precision = "float32"

    @Option(name: .customLong("idle-timeout"), parsing: .unconditional, help: ArgumentHelp("Close a connection silent this long, between requests or mid-request (a half-sent request), seconds.", valueName: "seconds"))
    var idleTimeout = 30.0

    @Option(name: .customLong("admin-token"), help: "Require `Authorization: Bearer TOKEN` on /admin routes (needed to serve them on a non-loopback address).")
    var adminToken: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    var servingConfiguration: ServingConfiguration {
        var c = ServingConfiguration(modelDirectory: model)
        c.host = host
        c.port = port
        c.maxK = maxK
        c.maxBatch = maxBatch
        c.maxWaitMicroseconds = maxWaitMicroseconds
        c.waitsWhenIdle = waitsWhenIdle
        c.threads = threads
        c.maxBodyBytes = maxBodyBytes
        c.adminToken = adminToken
        c.idleTimeoutSeconds = idleTimeout
        c.precision = (try? ScoringPrecision(parsing: precision)) ?? .float32
        return c
    }

    func validate() throws {
        try OptionApplicability.enforce(OptionApplicability.serve(self))
        do { _ = try ScoringPrecision(parsing: precision) } catch { throw ValidationError("--precision: \(error)") }
        do { try servingConfiguration.validate() } catch let error as ServingConfigurationError {
            throw ValidationError(error.description)
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: expected trace, debug, info, notice, warning, error or critical, found \(logLevel)") }
    }

    func run() async throws {
        var logger = Logger(label: "twotower.serve")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        try await RetrievalServer.run(servingConfiguration, logger: logger)
    }
}
