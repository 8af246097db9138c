import ArgumentParser
import FleetDemo
import FleetHTTP
import Logging

/// `fleet work`: the demo's job worker in one process, run next to the API by
/// `fleet start` (an app with `port: none` in fleet.yaml) or alone.
struct Work: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the demo's job worker (the handlers behind POST /jobs) in this process.",
        discussion: """
            Takes jobs from the queue in Redis when REDIS_URL is set, else from the embedded SQLite queue under FLEET_STATE_DIR \
            (shared by every process of the machine). Credit jobs record their effect in the demo database (DATABASE_URL, else SQLite). \
            SIGTERM stops claiming, lets the jobs in hand finish until --shutdown-deadline, then gives the rest back to the queue.
            Environment: REDIS_URL, DATABASE_URL, FLEET_STATE_DIR, JOBS_QUEUE (default "default"), JOBS_VISIBILITY (default 30s), \
            JOBS_MAX_ATTEMPTS (default 5), JOBS_CONCURRENCY, JOBS_POLL, JOBS_SHUTDOWN_DEADLINE (as the flags), METRICS, METRICS_PORT \
            (the worker's /metrics: fleet_jobs_waiting, fleet_jobs_oldest_waiting_seconds, fleet_jobs_processed_total, ...), LOG_FORMAT, LOG_LEVEL.
            """
    )

    @Option(help: "Jobs run at once by this process, 1 to 1024 (env JOBS_CONCURRENCY; default 4).")
    var concurrency: Int?

    @Option(help: "The longest one claim waits for a job, e.g. 2s (env JOBS_POLL; default 2s).")
    var poll: String?

    @Option(help: "On SIGTERM, how long jobs in hand may run on before they are given back, e.g. 20s (env JOBS_SHUTDOWN_DEADLINE; default 20s).")
    var shutdownDeadline: String?

    func run() async throws {
        let startup = ProcessStartup(command: "fleet work")
        var configuration = try startup.configuration()
        if let concurrency {
            guard (1...1024).contains(concurrency) else { throw ValidationError("--concurrency must be from 1 to 1024, not \(concurrency)") }
            configuration.jobs.concurrency = concurrency
        }
        if let poll { configuration.jobs.poll = try Start.duration(poll, flag: "--poll") }
        if let shutdownDeadline { configuration.jobs.shutdownDeadline = try Start.duration(shutdownDeadline, flag: "--shutdown-deadline") }
        let observability = try startup.bootstrap(configuration)
        let logger = Logger(label: "fleet.work")
        let services = try await DemoWorker.services(configuration: configuration, logger: logger, observability: observability)
        try await startup.run(services, shutdownDuration: configuration.jobs.shutdownDeadline + .seconds(5), logger: logger)
    }
}
