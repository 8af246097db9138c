import FleetHTTP
import FleetRedis
import FleetState
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The demo service: the users API with health checks, on PostgreSQL when
/// `DATABASE_URL` is set and on embedded SQLite otherwise.
public enum DemoService {
    /// The application type `makeApplication` builds.
    public typealias App = FleetApplication<RouterResponder<DemoRequestContext>>

    /// Builds the demo application from `configuration`.
    /// - Throws: `ConfigurationError` when `DATABASE_URL` does not parse; a store error when the file cannot be opened.
    /// - Parameter observability: metrics and tracing, bootstrapped once per process; nil for none.
    public static func makeApplication(configuration: FleetConfiguration, logger: Logger, observability: FleetObservability? = nil) async throws -> App {
        // Everything that can fail on configuration alone fails before a store is opened.
        let redis = try configuration.redisURL.map { url throws(ConfigurationError) in try Self.redisClient(url: url, logger: logger) }
        let rateLimiter = try Self.rateLimiter(configuration: configuration, redis: redis, logger: logger)
        let sessions = try await Self.sessions(configuration: configuration, redis: redis, logger: logger)
        let cache = try Self.userCache(configuration: configuration, redis: redis, logger: logger)
        let chat = try Self.chat(configuration: configuration, redis: redis, sessions: sessions.manager, logger: logger)
        let objects = try Self.objectStore(configuration: configuration, logger: logger)
        let jobs = try await Self.jobQueue(configuration: configuration, redis: redis, logger: logger)
        if let url = configuration.databaseURL {
            let store = PostgresUserStore(
                configuration: try DatabaseURL.configuration(url),
                replica: try configuration.databaseReadURL.map { url throws(ConfigurationError) in try DatabaseURL.configuration(url, variable: "DATABASE_READ_URL") },
                poolMax: configuration.databasePoolMax,
                timeout: configuration.databaseTimeout,
                logger: logger
            )
            return Self.makeApplication(store: store, redis: redis, rateLimiter: rateLimiter, sessions: sessions, cache: cache, chat: chat, objects: objects, jobs: jobs, configuration: configuration, logger: logger, observability: observability) {
                try await store.migrate()
                let budget = ConnectionBudget(
                    instances: configuration.instances,
                    poolMax: configuration.databasePoolMax,
                    maxConnections: try await store.maxConnections()
                )
                budget.log(to: logger)
            }
        }
        let path = "\(configuration.stateDirectory)/demo.sqlite"
        let store = try await SQLiteUserStore.open(path: path, logger: logger)
        logger.info("users stored in embedded SQLite at \(path)")
        return Self.makeApplication(store: store, redis: redis, rateLimiter: rateLimiter, sessions: sessions, cache: cache, chat: chat, objects: objects, jobs: jobs, configuration: configuration, logger: logger, observability: observability) {
            try await store.migrate()
        }
    }

    static func makeApplication<Store: UserStore>(
        store: Store,
        redis: RedisClient?,
        rateLimiter: RateLimiter? = nil,
        sessions: (manager: SessionManager, service: (any Service)?),
        cache: Cache? = nil,
        chat: (broadcaster: Broadcaster, routes: ChatRoutes, upgrade: FleetWebSocketUpgrade)? = nil,
        objects: any ObjectStore,
        jobs: (queue: any JobQueue, service: (any Service)?)? = nil,
        configuration: FleetConfiguration,
        logger: Logger,
        observability: FleetObservability? = nil,
        prepare: @escaping @Sendable () async throws -> Void
    ) -> App {
        let router = Router(context: DemoRequestContext.self)
        observability?.register(on: router)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: SessionMiddleware(sessions: sessions.manager, secure: configuration.sessionCookieSecure))
        router.get("/hello") { _, _ in "hello" }
        var fastRoutes = FastRoutes()
        let hello = FastRoutes.Response.text("hello")
        fastRoutes.get("/hello") { _ in hello }
        var checks = [HealthCheck("database") { try await store.ping() }]
        // First, so the span exporter stops last and flushes what the drain recorded.
        var services = observability?.services(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration, logger: logger) ?? []
        services.append(store)
        if let service = sessions.service { services.append(service) }
        if let redis {
            services.append(redis)
            checks.append(HealthCheck("redis") { try await redis.ping() })
        }
        // After Redis: a graceful shutdown stops the cache's subscription before the client.
        if let cache { services.append(cache) }
        // After Redis too: on shutdown it closes its sockets with 1001 and says goodbye while Redis is up.
        if let chat { services.append(chat.broadcaster) }
        HealthRoutes(checks: checks).register(on: router)
        Self.registerStaticFiles(on: router, configuration: configuration, logger: logger)
        // Health checks and /hello stay unlimited: probes and peer benchmarks must never see a 429.
        let api = router.group()
        var fastLimit: FastRateLimit?
        if let rateLimiter, let policy = configuration.rateLimit.policy {
            let limits = configuration.rateLimit
            let rule = RateLimitRule<DemoRequestContext>.clientAddress(policy, trustedProxies: limits.trustedProxies)
            api.add(middleware: RateLimitMiddleware(limiter: rateLimiter, rules: [rule], legacyHeaders: limits.legacyHeaders))
            let limit = FastRateLimit(limiter: rateLimiter, policy: policy, trustedProxies: limits.trustedProxies, legacyHeaders: limits.legacyHeaders)
            fastRoutes.refuseBlockedClients(under: ["/users", "/login", "/me", "/logout"], limit: limit)
            fastLimit = limit
        }
        // Presence is an API call like the others: under the same limit.
        chat?.routes.register(on: api)
        // Avatars stream to the object store under their own limit; every other body is bounded by BODY_LIMIT.
        AvatarRoutes(users: store, objects: objects, limit: configuration.avatarLimit).register(on: api)
        // Reports bound their body themselves: a chunked one must stay unread for hang-ups to cancel it.
        services.append(Self.registerReports(on: api, configuration: configuration, observability: observability))
        let bounded = api.group().add(middleware: BodyLimitMiddleware(limit: configuration.bodyLimit))
        UserRoutes(store: store, cache: cache, bodyLimit: configuration.bodyLimit).register(on: bounded)
        SessionRoutes(store: store, bodyLimit: configuration.bodyLimit).register(on: bounded)
        if let jobs {
            if let service = jobs.service { services.append(service) }
            JobRoutes(queue: jobs.queue, bodyLimit: configuration.bodyLimit, maxAttempts: configuration.jobs.maxAttempts).register(on: bounded)
        }
        if let cache { Self.registerFastCacheHits(cache, limit: fastLimit, on: &fastRoutes) }
        if configuration.benchmarkRoutes { Self.registerBenchmarkRoutes(on: router, fastRoutes: &fastRoutes) }
        if configuration.observability.blockRoute { fastRoutes.addBlockRoute() }
        if let observability {
            observability.configure(&fastRoutes)
            Self.observe(store: store, redis: redis, cache: cache, on: observability.samplers)
        }
        var app = Application(
            router: router,
            server: chat.map { .fleet(fastRoutes: fastRoutes, webSocket: $0.upgrade, logger: logger) } ?? .fleet(fastRoutes: fastRoutes, logger: logger),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: services,
            onServerRunning: { channel in
                logger.info("listening", metadata: ["server.address": "\(configuration.host)", "server.port": "\(channel.localAddress?.port ?? configuration.port)"])
            },
            logger: logger
        )
        app.beforeServerStarts(perform: prepare)
        return FleetApplication(
            base: app, listeningSocket: configuration.listeningSocket, supervisorLink: configuration.supervisorLink, fastRoutes: fastRoutes,
            webSocket: chat?.upgrade
        )
    }
}

extension DemoService {
    static func redisClient(url: String, logger: Logger) throws(ConfigurationError) -> RedisClient {
        do {
            var configuration = try RedisClientConfiguration(url: url)
            // A request waits at most a second for a connection while Redis is down;
            // then the rate limiter's fallback answers instead of holding it for 10 s.
            configuration.leaseTimeout = .seconds(1)
            return RedisClient(configuration: configuration, logger: logger)
        } catch {
            throw ConfigurationError(variable: "REDIS_URL", value: url, accepted: "redis://[user:pass@]host[:port][/db], rediss://... or unix:///path (\(error))")
        }
    }
}

extension DemoService {
    /// Sessions in Redis when it is configured, else in SQLite beside the users; the SQLite
    /// store is returned as a service to run, so it closes after the server drains.
    static func sessions(
        configuration: FleetConfiguration, redis: RedisClient?, logger: Logger
    ) async throws -> (manager: SessionManager, service: (any Service)?) {
        let signer = try configuration.sessionSigner()
        if let redis {
            let store = RedisSessionStore(redis: redis, prefix: configuration.sessionKeyPrefix)
            return (SessionManager(store: store, signer: signer, configuration: configuration.sessionConfiguration), nil)
        }
        let store = try await SQLiteSessionStore.open(path: "\(configuration.stateDirectory)/sessions.sqlite", logger: logger)
        return (SessionManager(store: store, signer: signer, configuration: configuration.sessionConfiguration), store)
    }
}
