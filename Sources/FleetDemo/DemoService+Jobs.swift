import FleetHTTP
import FleetRedis
import FleetState
import Logging
import ServiceLifecycle

extension DemoService {
    /// The job queue: Redis Streams when Redis is configured, else the embedded SQLite
    /// queue under the state directory, shared by every process of the machine; the
    /// SQLite queue is returned as a service to run, so it closes after its users stop.
    static func jobQueue(configuration: FleetConfiguration, redis: RedisClient?, logger: Logger) async throws -> (queue: any JobQueue, service: (any Service)?) {
        let queue: JobQueueConfiguration
        do {
            queue = try JobQueueConfiguration(name: configuration.jobs.queue)
        } catch {
            throw ConfigurationError(variable: "JOBS_QUEUE", value: configuration.jobs.queue, accepted: "1 to 64 letters, digits, '-', '_' or '.'")
        }
        if let redis {
            return (RedisJobQueue(redis: redis, configuration: queue), nil)
        }
        let sqlite = try await SQLiteJobQueue.open(path: "\(configuration.stateDirectory)/jobs.sqlite", configuration: queue, logger: logger)
        return (sqlite, sqlite)
    }
}
