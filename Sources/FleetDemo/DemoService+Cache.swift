import FleetHTTP
import FleetRedis
import FleetState
import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension DemoService {
    /// The cache of `GET /users/:id`: nil when `CACHE_TTL` is 0; on Redis when
    /// `REDIS_URL` is set, otherwise embedded under the state directory.
    static func userCache(configuration: FleetConfiguration, redis: RedisClient?, logger: Logger) throws -> Cache? {
        guard configuration.cacheTTL > .zero else { return nil }
        var cacheConfiguration = CacheConfiguration()
        cacheConfiguration.ttl = configuration.cacheTTL
        cacheConfiguration.l1Capacity = configuration.cacheL1Entries
        cacheConfiguration.redisPrefix = configuration.cachePrefix + Self.cacheNamespace(configuration)
        let backend: CacheBackend = redis.map { .redis($0) } ?? .embedded(stateDirectory: configuration.stateDirectory)
        return try Cache(configuration: cacheConfiguration, backend: backend, logger: logger)
    }

    /// The keys of one database: PostgreSQL is one database for every
    /// instance, but each SQLite file is its own, so Redis must not mix them.
    static func cacheNamespace(_ configuration: FleetConfiguration) -> String {
        guard configuration.databaseURL == nil else { return "" }
        return "sqlite:" + URL(fileURLWithPath: configuration.stateDirectory).standardizedFileURL.path + ":"
    }

    /// `GET /users/:id` answered on the event loop when the L1 holds the user
    /// and the rate limit, if any, answers at once (embedded, or a Redis lease): no
    /// task, no router. Anything else (a miss, a cached 404, an id that does
    /// not parse, a limit on Redis with no lease in hand, a request with
    /// cookies, whose session the middleware must see) goes on to the router,
    /// which answers it as before.
    static func registerFastCacheHits(_ cache: Cache, limit: FastRateLimit?, on fastRoutes: inout FastRoutes) {
        fastRoutes.get("/users/:id") { request in
            guard !request.hasCookies, let digits = request.parameter, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let id = Int64(digits), id > 0, case .hit(let json?) = cache.cached(UserRoutes<SQLiteUserStore>.cacheKey(id))
            else { return nil }
            guard let limit else { return .json(json) }
            // Counted only on a hit: a miss goes to the router, whose middleware counts it once.
            switch limit.acquire(request) {
            case nil: return nil
            case .refuse(let refusal): return refusal
            case .allow(let fields):
                var answer = FastRoutes.Response.json(json)
                answer.rateLimit = fields
                return answer
            }
        }
    }

    /// `GET /bench/user`: the body `GET /users/1` answers for the seeded user,
    /// from a constant, as the ceiling a cache hit is measured against; on the
    /// fast path as well, as cache hits are.
    static func registerBenchmarkRoutes<Context: RequestContext>(on router: Router<Context>, fastRoutes: inout FastRoutes) {
        let body = User(id: 1, name: "user1", email: "user1@example.com").json
        router.get("/bench/user") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
        let fast = FastRoutes.Response.json(body)
        fastRoutes.get("/bench/user") { _ in fast }
    }
}
