import Foundation
import TowerCore
import TwoTower

/// Settings of `twotower serve` (the CLI flags of the same names).
public struct ServingConfiguration: Sendable, Equatable {
    /// The model directory written by `train --output`.
    public var modelDirectory: String
    /// Address to bind; `127.0.0.1` keeps the service on loopback.
    public var host = "127.0.0.1"
    /// TCP port; 0 picks a free one (reported once the server listens).
    public var port = 8080
    /// Largest `k` a request may ask for.
    public var maxK = 1000
    /// Largest dynamic batch; 1 turns batching off.
    public var maxBatch = 64
    /// Longest wait of a query for others to batch with, microseconds (only while another batch
    /// is being ranked, unless ``waitsWhenIdle``).
    public var maxWaitMicroseconds = 500
    /// Whether a query arriving at an idle server also waits ``maxWaitMicroseconds`` for others
    /// (`--wait-when-idle`; off: an idle server answers at once).
    public var waitsWhenIdle = false
    /// Scoring threads; nil uses one per core.
    public var threads: Int?
    /// How the item index scores queries (`--precision`): exact float32, or bfloat16 candidates
    /// re-scored in float32 (twice the throughput on AVX512_BF16 CPUs, see ``ScoringPrecision``).
    public var precision: ScoringPrecision = .float32
    /// Largest request body, bytes (larger bodies get 413).
    public var maxBodyBytes = 1 << 20
    /// Largest number of queries (`user_ids`, `item_ids`) in one request.
    public var maxQueriesPerRequest = 1024
    /// Seconds a connection may stay silent — between requests, or in the middle of reading one
    /// (a half-sent head or body) — before the server closes it (`--idle-timeout`). Bounds what
    /// a slow or stalled client can hold; a response being computed is never cut.
    public var idleTimeoutSeconds = 30.0
    /// When set, `/admin/*` requires `Authorization: Bearer <token>`; when nil, admin routes are
    /// served only while the service is bound to a loopback address.
    public var adminToken: String?

    public init(modelDirectory: String) { self.modelDirectory = modelDirectory }

    /// Whether ``host`` is a loopback address.
    public var bindsLoopback: Bool { ["127.0.0.1", "::1", "localhost"].contains(host) || host.hasPrefix("127.") }

    /// The scoring thread count used.
    public var scoringThreads: Int { threads ?? ThreadDefaults.cores }

    /// Checks every setting. - Throws: ``ServingConfigurationError`` naming the flag.
    public func validate() throws {
        func check(_ ok: Bool, _ flag: String, _ expected: String) throws {
            if !ok { throw ServingConfigurationError(flag: flag, expected: expected) }
        }
        try check(!modelDirectory.isEmpty, "--model", "a model directory")
        try check((0...65535).contains(port), "--port", "a port in 0...65535, found \(port)")
        try check(maxK >= 1, "--max-k", "at least 1, found \(maxK)")
        try check(maxBatch >= 1, "--max-batch", "at least 1, found \(maxBatch)")
        try check(maxWaitMicroseconds >= 0, "--max-wait-us", "at least 0, found \(maxWaitMicroseconds)")
        try check((threads ?? 1) >= 1, "--threads", "at least 1, found \(threads ?? 0)")
        try check(maxBodyBytes >= 1024, "--max-body-bytes", "at least 1024, found \(maxBodyBytes)")
        try check(idleTimeoutSeconds.isFinite && idleTimeoutSeconds > 0 && idleTimeoutSeconds <= 86_400, "--idle-timeout",
                  "seconds in (0, 86400], found \(idleTimeoutSeconds)")
        try check(adminToken.map { !$0.isEmpty } ?? true, "--admin-token", "a non-empty token")
    }
}

/// A serving setting out of range.
public struct ServingConfigurationError: Error, CustomStringConvertible, Equatable {
    public var flag: String
    public var expected: String
    public var description: String { "\(flag): expected \(expected)" }
}
