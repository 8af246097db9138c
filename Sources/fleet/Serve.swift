import ArgumentParser
import FleetDemo
import FleetHTTP
import Logging

/// `fleet serve`: the demo service in one process, stopped gracefully by SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the demo service in this process.",
        discussion: "Configured by the environment: HOST, PORT, DATABASE_URL, DATABASE_READ_URL, REDIS_URL, DB_POOL_MAX, DB_TIMEOUT, FLEET_STATE_DIR, LOG_FORMAT, LOG_LEVEL, BODY_LIMIT, DRAIN_TIMEOUT, RATE_LIMIT, RATE_LIMIT_ALGORITHM, RATE_LIMIT_BLOCK, RATE_LIMIT_ON_FAILURE, RATE_LIMIT_LEGACY_HEADERS, RATE_LIMIT_PREFIX, RATE_LIMIT_KEYS, RATE_LIMIT_PREBLOCK, RATE_LIMIT_HOSTS, TRUSTED_PROXIES, CACHE_TTL, CACHE_L1_ENTRIES, CACHE_PREFIX, BROADCAST, BROADCAST_CHANNEL, WS_SEND_QUEUE, WS_HEARTBEAT, CHAT_RATE_LIMIT, OFFLOAD_THREADS, OFFLOAD_QUEUE, BENCH_ROUTES, METRICS, METRICS_PORT, BLOCK_ROUTE, OTEL_*."
    )

    func run() async throws {
        let startup = ProcessStartup(command: "fleet serve")
        let configuration = try startup.configuration()
        let observability = try startup.bootstrap(configuration)
        let logger = Logger(label: "fleet.demo")
        let app = try await DemoService.makeApplication(configuration: configuration, logger: logger, observability: observability)
        try await startup.run([app], shutdownDuration: configuration.drainTimeout, logger: logger)
    }
}
