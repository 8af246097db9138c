/// Settings of a `RedisClient`: the connection, the pool and reconnection.
public struct RedisClientConfiguration: Sendable {
    /// How each connection reaches and logs in to the server.
    public var connection: RedisConnectionConfiguration
    /// Connections kept open even when idle. Shared commands are spread over
    /// them round-robin, each pipelining its callers. Default 1.
    public var minimumConnections = 1
    /// Most connections open at once, leased ones included. Default 16.
    public var maximumConnections = 16
    /// How long `withConnection` and shared commands wait for a connection
    /// before failing with `.leaseTimeout`. Default 10 seconds.
    public var leaseTimeout: Duration = .seconds(10)
    /// Delay before the first reconnection attempt; doubled after each failure. Default 100 ms.
    public var reconnectInitialDelay: Duration = .milliseconds(100)
    /// Longest delay between reconnection attempts. Default 10 seconds.
    public var reconnectMaximumDelay: Duration = .seconds(10)

    /// A configuration with the defaults above.
    public init(connection: RedisConnectionConfiguration = .init()) {
        self.connection = connection
    }

    /// A configuration from a `redis://`, `rediss://` or `unix://` URL.
    public init(url: String) throws(RedisError) {
        self.init(connection: try RedisConnectionConfiguration(url: url))
    }

    /// Exponential backoff with jitter: a random delay up to `initial * 2^(attempt-1)`,
    /// capped at the maximum, and at least a tenth of that.
    func reconnectDelay(attempt: Int) -> Duration {
        guard attempt > 0 else { return .zero }
        let ceiling = min(reconnectMaximumDelay, reconnectInitialDelay * (1 << min(attempt - 1, 30)))
        return ceiling * Double.random(in: 0.1...1)
    }
}
