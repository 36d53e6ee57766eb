import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TowerCore
import UnixSignals

/// The running service: the Hummingbird application over ``RetrievalRouter`` plus the
/// services that live with it — the scoring threads (stopped after the HTTP server has finished
/// its in-flight requests) and the SIGHUP reloader.
public enum RetrievalServer {
    /// The application for `service`, bound to the configured host and port.
    /// - Parameter onListening: called with the bound port once the server accepts connections.
    public static func application(
        _ service: RetrievalService, reloadOnSIGHUP: Bool = false,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var services: [any Service] = [ScoringLifetime(service: service)]
        if reloadOnSIGHUP { services.append(HangupReloader(service: service)) }
        return Application(
            router: RetrievalRouter.make(service),
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64((service.configuration.idleTimeoutSeconds * 1000).rounded(.up))))),
            configuration: .init(address: .hostname(service.configuration.host, port: service.configuration.port),
                                 serverName: "twotower"),
            services: services,
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: service.logger)
    }

    /// Loads the model, serves until SIGTERM or SIGINT, then stops accepting connections,
    /// finishes in-flight requests and returns. SIGHUP reloads the model.
    /// - Throws: the initial load error, or a bind error.
    public static func run(_ configuration: ServingConfiguration, logger: Logger) async throws {
        try configuration.validate()
        if case .bfloat16 = configuration.precision, !BFloat16Matrix.cpuHasNativeKernel {
            logger.warning("--precision \(configuration.precision): this CPU has no AVX512_BF16; the portable bfloat16 kernel is much slower than float32 here")
        }
        let service = RetrievalService(configuration: configuration, logger: logger)
        do { try await service.loadInitialModel() } catch { service.shutdown(); throw error }
        let app = application(service, reloadOnSIGHUP: true) { port in
            logger.info("listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
        }
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Stops the scoring threads when the application shuts down (after the HTTP server, which the
/// application shuts down first, has answered its in-flight requests).
struct ScoringLifetime: Service {
    let service: RetrievalService
    func run() async throws {
        try? await gracefulShutdown()
        service.shutdown()
    }
}

/// Reloads the model on each SIGHUP until shutdown.
struct HangupReloader: Service {
    let service: RetrievalService
    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            _ = await service.reload()
        }
    }
}
