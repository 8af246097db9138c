import FleetRedis
import FleetState
import FleetSupervisor
import Logging

extension Broadcaster {
    /// A broadcaster on the backend `configuration` names; `auto` is Redis when a
    /// client is given (every machine), else the supervisor's worker bus under
    /// `fleet start` (every worker of this machine), else this process alone.
    /// - Parameters:
    ///   - configuration: backend, channel, presence timing and queue bounds.
    ///   - redis: the service's Redis client, if it has one.
    ///   - logger: where backend failures are reported.
    /// - Throws: `ConfigurationError` on `BROADCAST` when the backend it names is not available.
    public convenience init(configuration: WebSocketConfiguration, redis: RedisClient?, logger: Logger) throws(ConfigurationError) {
        let backend: any BroadcastBackend
        switch (configuration.backend, redis, WorkerBus.current) {
        case (.redis, let redis?, _), (.automatic, let redis?, _):
            backend = RedisBroadcastBackend(redis: redis, channel: configuration.channel, logger: logger)
        case (.workers, _, let bus?), (.automatic, nil, let bus?):
            backend = WorkerBusBroadcastBackend(bus: bus, channel: configuration.channel)
        case (.process, _, _), (.automatic, nil, nil):
            backend = InProcessBroadcastBackend()
        case (.redis, nil, _):
            throw ConfigurationError(variable: "BROADCAST", value: "redis", accepted: "redis only with REDIS_URL set")
        default:
            throw ConfigurationError(variable: "BROADCAST", value: "\(configuration.backend)", accepted: "workers only under fleet start")
        }
        self.init(backend: backend, configuration: configuration.broadcaster, logger: logger)
    }

    /// The name of the backend in use, for logs: `redis`, `workers` or `process`.
    public var backendName: String {
        switch self.backend {
        case is RedisBroadcastBackend: "redis"
        case is WorkerBusBroadcastBackend: "workers"
        default: "process"
        }
    }
}
