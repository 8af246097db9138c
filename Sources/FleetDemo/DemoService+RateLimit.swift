import FleetHTTP
import FleetRedis
import FleetState
import Logging

extension DemoService {
    /// The API's rate limiter: on Redis when `REDIS_URL` is set, otherwise on the
    /// table every worker of this machine shares under `FLEET_STATE_DIR`; nil when off.
    static func rateLimiter(configuration: FleetConfiguration, redis: RedisClient?, logger: Logger) throws -> RateLimiter? {
        let settings = configuration.rateLimit
        guard settings.policy != nil else { return nil }
        let backend: any RateLimitBackend
        if let redis {
            backend = RateLimitRedisBackend(redis: redis, prefix: settings.redisPrefix)
        } else {
            backend = try RateLimitEmbeddedBackend(directory: configuration.stateDirectory, capacity: settings.embeddedCapacity)
        }
        var limiter = RateLimiterConfiguration()
        limiter.onFailure = settings.onFailure
        // The insurance limiter's share: every worker of every host that shares the Redis limit.
        limiter.instances = configuration.instances * settings.hosts
        limiter.leasing = settings.leasing
        limiter.preBlock = settings.preBlock
        return RateLimiter(backend: backend, configuration: limiter, logger: logger)
    }
}
