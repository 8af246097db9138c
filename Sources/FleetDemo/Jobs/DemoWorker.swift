import FleetHTTP
import FleetState
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle

/// The services of one `fleet work` process: the demo database (for the credit
/// job's ledger), the queue's clients, the `JobWorker` running `DemoJobs`, the
/// queue monitor (metrics, and the backlog the supervisor scales on), and the
/// hand-over with the supervisor when one started it.
public enum DemoWorker {
    /// Builds the services (settings from `configuration.jobs`), in start order (a graceful stop ends them in reverse: the worker first).
    public static func services(
        configuration: FleetConfiguration, logger: Logger, observability: FleetObservability? = nil
    ) async throws -> [any Service] {
        let redis = try configuration.redisURL.map { url throws(ConfigurationError) in try DemoService.redisClient(url: url, logger: logger) }
        var services = observability?.services(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration, logger: logger) ?? []
        if let redis { services.append(redis) }
        let settings = configuration.jobs
        let jobs = try await DemoService.jobQueue(configuration: configuration, redis: redis, logger: logger)
        if let service = jobs.service { services.append(service) }
        let handlers: [String: JobWorker.Handler]
        if let url = configuration.databaseURL {
            let store = PostgresUserStore(configuration: try DatabaseURL.configuration(url), poolMax: configuration.databasePoolMax, timeout: configuration.databaseTimeout, logger: logger)
            services.append(store)
            handlers = DemoJobs.handlers(ledger: store)
            services.append(Migrating(store: store))
        } else {
            let store = try await SQLiteUserStore.open(path: "\(configuration.stateDirectory)/demo.sqlite", logger: logger)
            try await store.migrate()
            services.append(store)
            handlers = DemoJobs.handlers(ledger: store)
        }
        var options = JobWorkerConfiguration(consumer: "\(ProcessInfo.processInfo.hostName)-\(getpid())")
        options.concurrency = settings.concurrency
        options.visibility = settings.visibility
        options.poll = settings.poll
        options.shutdownDeadline = settings.shutdownDeadline
        let worker = JobWorker(queue: jobs.queue, handlers: handlers, configuration: options, logger: logger)
        services.append(JobQueueMonitor(queue: jobs.queue, queueName: settings.queue, worker: worker, link: configuration.supervisorLink, logger: logger))
        services.append(worker)
        if let link = configuration.supervisorLink { services.append(SupervisedWorker(link: link)) }
        logger.info("working", metadata: ["jobs.queue": "\(settings.queue)", "jobs.backend": "\(redis == nil ? "sqlite" : "redis")", "jobs.concurrency": "\(settings.concurrency)"])
        return services
    }
}

/// Runs the demo's migrations (the ledger table among them) once PostgreSQL's pool runs (it starts with the service group).
struct Migrating: Service {
    let store: any UserStore

    func run() async throws {
        try await self.store.migrate()
        try? await gracefulShutdown()
    }
}
