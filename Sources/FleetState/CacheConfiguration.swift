/// How a `Cache` ages, bounds and protects its entries.
public struct CacheConfiguration: Sendable {
    /// How long a loaded value is served before the loader is asked again. Default 300 s.
    public var ttl: Duration = .seconds(300)
    /// The largest fraction by which each TTL is shortened at random, so keys
    /// loaded together do not all expire together. 0 to 1; default 0.1.
    public var jitter: Double = 0.1
    /// How long a loader's nil (no such value) is cached. Default 30 s.
    public var negativeTTL: Duration = .seconds(30)
    /// How long past its TTL an entry is kept, to be served when the loader
    /// throws or is too slow. Default 10 minutes.
    public var gracePeriod: Duration = .seconds(600)
    /// How long a loader may run when a stale value could be served instead;
    /// past it the stale value is served and the loader, still running,
    /// refreshes the cache when it finishes. Default 1 s.
    public var loadTimeout: Duration = .seconds(1)
    /// After a stale value was served, how long it keeps being served before
    /// the loader is tried again. Default 1 s.
    public var retryInterval: Duration = .seconds(1)
    /// The most entries the in-process L1 holds; the least recently used go first. Default 10,000.
    public var l1Capacity: Int = 10_000
    /// Prefix of the Redis keys and of the invalidation channel. Default `fleet:cache:`.
    public var redisPrefix: String = "fleet:cache:"

    /// The defaults, as documented on each property.
    public init() {}

    func validate() throws(FleetStateError) {
        func check(_ valid: Bool, _ message: String) throws(FleetStateError) {
            if !valid { throw FleetStateError(.invalidConfiguration, "cache: \(message)") }
        }
        try check(self.ttl > .zero, "ttl must be positive, not \(self.ttl)")
        try check((0...1).contains(self.jitter), "jitter must be between 0 and 1, not \(self.jitter)")
        try check(self.negativeTTL >= .zero, "negativeTTL must not be negative")
        try check(self.gracePeriod >= .zero, "gracePeriod must not be negative")
        try check(self.loadTimeout > .zero, "loadTimeout must be positive")
        try check(self.retryInterval >= .zero, "retryInterval must not be negative")
        try check(self.l1Capacity > 0, "l1Capacity must be at least 1, not \(self.l1Capacity)")
    }
}
