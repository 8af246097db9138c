import FleetState

/// WebSocket rooms of a Fleet service, read from the environment.
public struct WebSocketConfiguration: Sendable {
    /// Which backend carries broadcasts between instances.
    public struct Backend: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable, Hashable {
            case automatic = "auto", redis, workers, process
        }

        let base: Base
        /// Redis when `REDIS_URL` is set, else the worker bus under `fleet start`, else this process.
        public static let automatic = Backend(base: .automatic)
        /// Redis pub/sub; needs `REDIS_URL`.
        public static let redis = Backend(base: .redis)
        /// The supervisor's worker bus: the workers of one machine.
        public static let workers = Backend(base: .workers)
        /// This process only.
        public static let process = Backend(base: .process)

        public var description: String { self.base.rawValue }
    }

    /// `BROADCAST`: `auto`, `redis`, `workers` or `process`. Default `auto`.
    public var backend: Backend = .automatic
    /// `BROADCAST_CHANNEL`: the Redis or worker-bus channel instances share. Default `fleet:broadcast`.
    public var channel = "fleet:broadcast"
    /// `WS_SEND_QUEUE`, `WS_HEARTBEAT`: each connection's queue bound and the presence heartbeat
    /// (an instance's members vanish after three missed heartbeats). Defaults 1,024 messages and 2 s.
    public var broadcaster = BroadcasterConfiguration()
    /// `CHAT_RATE_LIMIT`: messages each chat connection may send (`20/1s`, `off`). Default 20 per second.
    public var messageLimit: RateLimitPolicy? = RateLimitPolicy(name: "chat", limit: 20, window: .seconds(1), algorithm: .gcra)

    /// The defaults, as documented on each property.
    public init() {}

    /// Reads the WebSocket variables from `env`, keeping the defaults for those unset.
    /// - Throws: `ConfigurationError` naming the first variable that does not parse.
    public init(environment env: EnvironmentReader) throws(ConfigurationError) {
        if let raw = env.string("BROADCAST") {
            guard let base = Backend.Base(rawValue: raw) else {
                throw ConfigurationError(variable: "BROADCAST", value: raw, accepted: "auto, redis, workers or process")
            }
            self.backend = Backend(base: base)
        }
        self.channel = env.string("BROADCAST_CHANNEL") ?? self.channel
        self.broadcaster.sendQueueLimit = try env.integer("WS_SEND_QUEUE", in: 1...1_000_000) ?? self.broadcaster.sendQueueLimit
        if let heartbeat = try env.duration("WS_HEARTBEAT") {
            guard heartbeat >= .milliseconds(100) else {
                throw ConfigurationError(variable: "WS_HEARTBEAT", value: env.string("WS_HEARTBEAT") ?? "", accepted: "a duration of at least 100ms")
            }
            self.broadcaster.heartbeatInterval = heartbeat
            self.broadcaster.presenceTimeout = heartbeat * 3
        }
        switch try env.rateLimit("CHAT_RATE_LIMIT") {
        case .none: break
        case .some(.none): self.messageLimit = nil
        case .some(.some(let (limit, window))):
            self.messageLimit = RateLimitPolicy(name: "chat", limit: limit, window: window, algorithm: .gcra)
        }
    }
}
