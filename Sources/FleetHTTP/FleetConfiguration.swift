#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FleetState
import FleetSupervisor
import Logging

/// The service's configuration, read from the environment (twelve-factor).
///
/// Every Fleet tool and test relies on these names; README.md lists them.
public struct FleetConfiguration: Sendable {
    /// `HOST`: the address to listen on. Default `127.0.0.1`.
    public var host: String = "127.0.0.1"
    /// `PORT`: the port to listen on. Default `8080`; `0` picks a free port.
    public var port: Int = 8080
    /// `DATABASE_URL`: PostgreSQL when set (`postgres://user:pass@host:port/db`); embedded SQLite otherwise.
    public var databaseURL: String?
    /// `REDIS_URL`: Redis when set (`redis://`, `rediss://`, `unix://`); embedded state otherwise.
    public var redisURL: String?
    /// `DB_POOL_MAX`: the most database connections this process opens. Default 20.
    public var databasePoolMax: Int = 20
    /// `DATABASE_READ_URL`: a read replica of `DATABASE_URL`; reads that may lag go there. Default none.
    public var databaseReadURL: String?
    /// `DB_TIMEOUT`: the most one query may take, waiting for a connection included, before a 503. Default 2 s.
    public var databaseTimeout: Duration = .seconds(2)
    /// `FLEET_STATE_DIR`: where embedded state lives. Default `.fleet`.
    public var stateDirectory: String = ".fleet"
    /// `LOG_FORMAT`: `json` or `text`. Default: text on a terminal, JSON otherwise.
    public var logFormat: LogFormat = isatty(STDOUT_FILENO) == 1 ? .text : .json
    /// `LOG_LEVEL`: the lowest level logged. Default `info`.
    public var logLevel: Logger.Level = .info
    /// `BODY_LIMIT`: the largest request body accepted. Default 1 MiB.
    public var bodyLimit: Int = 1 << 20
    /// `DRAIN_TIMEOUT`: how long a graceful shutdown may take before connections are cut. Default 30 s.
    public var drainTimeout: Duration = .seconds(30)
    /// `FLEET_WORKERS`: how many instances of this service run (set by the supervisor). Default 1.
    public var instances: Int = 1
    /// `FLEET_INSTANCE`: this worker's number, 0 to instances - 1 (set by the supervisor).
    public var instance: Int?
    /// `FLEET_IPC_FD`: the link to the supervisor, when one started this process.
    public var supervisorLink: Int32?
    /// `RATE_LIMIT` and its companions: the limit on the API; see `RateLimitConfiguration`.
    public var rateLimit = RateLimitConfiguration()
    /// The job queue and its workers (`JOBS_*`).
    public var jobs = JobsConfiguration()
    /// WebSocket rooms: `BROADCAST`, `BROADCAST_CHANNEL`, `WS_SEND_QUEUE`, `WS_HEARTBEAT`, `CHAT_RATE_LIMIT`.
    public var webSocket = WebSocketConfiguration()
    /// `LISTEN_FDS`/`LISTEN_PID`: a listening socket handed over by the supervisor or systemd; `HOST`/`PORT` are then unused.
    public var listeningSocket: Int32?
    /// `CACHE_TTL`: how long cached reads (`GET /users/:id`) stay fresh; `0` turns the cache off. Default 300 s.
    public var cacheTTL: Duration = .seconds(300)
    /// `CACHE_L1_ENTRIES`: the most entries each process's in-memory cache level holds. Default 10,000.
    public var cacheL1Entries: Int = 10_000
    /// `CACHE_PREFIX`: prefix of the cache's Redis keys and invalidation channel. Default `fleet:cache:`.
    public var cachePrefix: String = "fleet:cache:"
    /// `BENCH_ROUTES`: serve `GET /bench/user`, user 1's JSON from a constant, for benchmarks. Default false.
    public var benchmarkRoutes: Bool = false
    /// `METRICS`, `OTEL_*`: Prometheus metrics and OpenTelemetry tracing; see `ObservabilityConfiguration`.
    public var observability = ObservabilityConfiguration()
    /// `STATIC_DIR`: the directory served under `/static` when it exists (`StaticFiles`). Default `public`.
    public var staticDirectory: String = "public"
    /// `AVATAR_LIMIT`: the largest avatar `PUT /users/:id/avatar` accepts, streamed to the object store. Default 5 MiB.
    public var avatarLimit: Int = 5 << 20
    /// `OFFLOAD_THREADS`, `OFFLOAD_QUEUE`: the pool heavy work runs on; see `OffloadConfiguration`.
    public var offload = OffloadConfiguration()

    /// `SESSION_SECRETS`: comma-separated secrets of at least 32 bytes that sign session cookies;
    /// the first signs, all verify (rotation). Required with `REDIS_URL`; without it, empty means
    /// one secret generated once into `session-secret` (mode 0600) under the state directory.
    public var sessionSecrets: [String] = []
    /// `SESSION_IDLE_TIMEOUT`: a session unused this long ends. Default 30 minutes.
    public var sessionIdleTimeout: Duration = .seconds(30 * 60)
    /// `SESSION_ABSOLUTE_TIMEOUT`: a session ends this long after login however active. Default 24 hours.
    public var sessionAbsoluteTimeout: Duration = .seconds(24 * 3600)
    /// `SESSION_COOKIE_SECURE`: send the session cookie over HTTPS only. Default false.
    public var sessionCookieSecure = false
    /// `SESSION_KEY_PREFIX`: put before every Redis key of a session, so apps can share one Redis. Default `fleet:session:`.
    public var sessionKeyPrefix = "fleet:session:"

    /// The defaults, as documented on each property.
    public init() {}

    /// Reads the configuration from `environment`.
    /// - Throws: `ConfigurationError` naming the first variable that does not parse.
    public init(environment: [String: String]) throws(ConfigurationError) {
        let env = EnvironmentReader(environment)
        self.host = env.string("HOST") ?? self.host
        self.port = try env.integer("PORT", in: 0...65535) ?? self.port
        self.databaseURL = try env.url("DATABASE_URL", schemes: ["postgres", "postgresql"])
        self.redisURL = try env.url("REDIS_URL", schemes: ["redis", "rediss", "unix"])
        self.databasePoolMax = try env.integer("DB_POOL_MAX", in: 1...10_000) ?? self.databasePoolMax
        self.databaseReadURL = try env.url("DATABASE_READ_URL", schemes: ["postgres", "postgresql"])
        self.databaseTimeout = try env.duration("DB_TIMEOUT") ?? self.databaseTimeout
        guard self.databaseTimeout > .zero else {
            throw ConfigurationError(variable: "DB_TIMEOUT", value: env.string("DB_TIMEOUT") ?? "", accepted: "a positive duration such as 2s or 500ms")
        }
        self.stateDirectory = env.string("FLEET_STATE_DIR") ?? self.stateDirectory
        self.logFormat = try env.logFormat("LOG_FORMAT") ?? self.logFormat
        self.logLevel = try env.logLevel("LOG_LEVEL") ?? self.logLevel
        self.bodyLimit = try env.byteCount("BODY_LIMIT") ?? self.bodyLimit
        self.drainTimeout = try env.duration("DRAIN_TIMEOUT") ?? self.drainTimeout
        self.instances = try env.integer("FLEET_WORKERS", in: 1...4096) ?? self.instances
        self.instance = try env.integer("FLEET_INSTANCE", in: 0...4095)
        self.rateLimit = try RateLimitConfiguration(environment: env)
        self.jobs = try JobsConfiguration(environment: env)
        self.webSocket = try WebSocketConfiguration(environment: env)
        try self.readSessions(env)
        self.cacheTTL = try env.duration("CACHE_TTL") ?? self.cacheTTL
        self.cacheL1Entries = try env.integer("CACHE_L1_ENTRIES", in: 1...10_000_000) ?? self.cacheL1Entries
        self.cachePrefix = env.string("CACHE_PREFIX") ?? self.cachePrefix
        self.benchmarkRoutes = try env.boolean("BENCH_ROUTES") ?? self.benchmarkRoutes
        try self.readObservability(env)
        self.staticDirectory = env.string("STATIC_DIR") ?? self.staticDirectory
        self.avatarLimit = try env.byteCount("AVATAR_LIMIT") ?? self.avatarLimit
        try self.readOffload(env)
        self.listeningSocket = try SocketActivation.inheritedSocket(environment: environment)
        self.supervisorLink = SupervisorLink.descriptor(environment: environment)
    }

    /// Points swift-log at a `FleetLogHandler` with this format and level; call once at start.
    /// Lines logged inside a traced request carry its `trace_id` and `span_id`.
    public func bootstrapLogging() {
        LoggingSystem.bootstrap(
            { label, provider in
                var handler = FleetLogHandler(label: label, format: self.logFormat, level: self.logLevel, instance: self.instance)
                handler.metadataProvider = provider
                return handler
            },
            metadataProvider: .traceContext
        )
    }
}
