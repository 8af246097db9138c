import ArgumentParser
import FleetHTTP
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// How a command that serves from its own process (`fleet serve`, `fleet work`) starts and
/// stops: the environment read into a `FleetConfiguration`, logging, metrics and tracing
/// bootstrapped once, then its services run until SIGTERM or SIGINT.
///
/// A configuration error goes to stderr under the command's name and exits 78 (EX_CONFIG):
/// no restart can fix it.
struct ProcessStartup {
    /// The command as its error lines name it, e.g. `fleet serve`.
    let command: String

    /// The configuration the environment gives.
    func configuration() throws -> FleetConfiguration {
        do {
            return try FleetConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw self.configurationError("\(error)")
        }
    }

    /// Bootstraps logging, then metrics and tracing, as `configuration` says; call once.
    func bootstrap(_ configuration: FleetConfiguration) throws -> FleetObservability {
        configuration.bootstrapLogging()
        do {
            return try FleetObservability.bootstrap(configuration: configuration.observability)
        } catch {
            throw self.configurationError("OTEL_* configuration: \(error)")
        }
    }

    /// Runs `services` until SIGTERM or SIGINT, then gives them `shutdownDuration` to stop.
    func run(_ services: [any Service], shutdownDuration: Duration, logger: Logger) async throws {
        var group = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = shutdownDuration
        try await ServiceGroup(configuration: group).run()
        logger.info("stopped")
    }

    private func configurationError(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("\(self.command): \(message)\n".utf8))
        return ExitCode(78)  // EX_CONFIG
    }
}
