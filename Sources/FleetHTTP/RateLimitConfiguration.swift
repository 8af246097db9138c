import FleetState

/// The rate limit a Fleet service applies to its API, read from the environment.
public struct RateLimitConfiguration: Sendable {
    /// `RATE_LIMIT` (`100/60s`, `off`), `RATE_LIMIT_ALGORITHM` and `RATE_LIMIT_BLOCK`:
    /// points per window per client, or nil when off. Default 100 per 60 s,
    /// fixed window, no block: the seed service's limit.
    public var policy: RateLimitPolicy? = RateLimitPolicy(limit: 100, window: .seconds(60))
    /// `RATE_LIMIT_ON_FAILURE`: `insurance`, `open` or `closed`. Default `insurance`.
    public var onFailure: RateLimitFailureMode = .insurance
    /// `RATE_LIMIT_LEGACY_HEADERS`: also send `X-RateLimit-Limit`, `-Remaining`, `-Reset`. Default false.
    public var legacyHeaders = false
    /// `RATE_LIMIT_PREFIX`: put before every Redis key. Default `fleet:rl:`.
    public var redisPrefix = "fleet:rl:"
    /// `RATE_LIMIT_LEASE`: the most points a worker leases from Redis at once for
    /// a busy client (see `RateLimitLeasing`); `0` or `off` asks Redis on every request. Default 1,000.
    public var leasing = RateLimitLeasing()
    /// `RATE_LIMIT_PREBLOCK`: refuse a client refused moments ago in process, without
    /// the backend, until its `Retry-After`. Default true; false asks the backend every time.
    public var preBlock = true
    /// `RATE_LIMIT_KEYS`: clients the embedded table tracks at once. Default 65,536.
    public var embeddedCapacity = 65_536
    /// `TRUSTED_PROXIES`: networks whose `X-Forwarded-For`/`X-Real-IP` are believed. Default none.
    public var trustedProxies = TrustedProxies()
    /// `RATE_LIMIT_HOSTS`: machines whose fleets share the limit through Redis. While Redis is
    /// down each worker's insurance limiter allows limit / (hosts × `FLEET_WORKERS`). Default 1.
    public var hosts = 1

    /// The defaults, as documented on each property.
    public init() {}

    /// Reads the rate-limit variables from `env`, keeping the defaults for those unset.
    /// - Throws: `ConfigurationError` naming the first variable that does not parse.
    public init(environment env: EnvironmentReader) throws(ConfigurationError) {
        let algorithm = try env.rateLimitAlgorithm("RATE_LIMIT_ALGORITHM") ?? .fixedWindow
        let block = try env.duration("RATE_LIMIT_BLOCK") ?? .zero
        switch try env.rateLimit("RATE_LIMIT") {
        case .none:
            self.policy = self.policy.map { RateLimitPolicy(limit: $0.limit, window: $0.window, algorithm: algorithm, blockDuration: block) }
        case .some(.none):
            self.policy = nil
        case .some(.some(let (limit, window))):
            self.policy = RateLimitPolicy(limit: limit, window: window, algorithm: algorithm, blockDuration: block)
        }
        self.onFailure = try env.rateLimitFailureMode("RATE_LIMIT_ON_FAILURE") ?? self.onFailure
        self.legacyHeaders = try env.boolean("RATE_LIMIT_LEGACY_HEADERS") ?? self.legacyHeaders
        self.redisPrefix = env.string("RATE_LIMIT_PREFIX") ?? self.redisPrefix
        if let points = try env.rateLimitLease("RATE_LIMIT_LEASE") { self.leasing.maxPoints = points }
        self.preBlock = try env.boolean("RATE_LIMIT_PREBLOCK") ?? self.preBlock
        self.embeddedCapacity = try env.integer("RATE_LIMIT_KEYS", in: 64...(1 << 26)) ?? self.embeddedCapacity
        self.trustedProxies = try env.trustedProxies("TRUSTED_PROXIES") ?? self.trustedProxies
        self.hosts = try env.integer("RATE_LIMIT_HOSTS", in: 1...10_000) ?? self.hosts
    }
}

extension EnvironmentReader {
    /// `N/duration` (`100/60s`, `10/1s`, `1000/h`), or `off`: unset is nil, `off` is `.some(nil)`.
    func rateLimit(_ name: String) throws(ConfigurationError) -> (limit: Int, window: Duration)?? {
        guard let raw = self.string(name) else { return nil }
        if ["off", "none", "false", "0"].contains(raw.lowercased()) { return .some(nil) }
        let parts = raw.split(separator: "/", omittingEmptySubsequences: false)
        let error = ConfigurationError(variable: name, value: raw, accepted: "points per window such as 100/60s, 10/1s or 1000/h, or off")
        guard parts.count == 2, let limit = Int(parts[0]), (1...1_000_000_000).contains(limit) else { throw error }
        // A bare unit is one of it: `100/m` is 100 per minute.
        let window = parts[1].first?.isNumber == true ? String(parts[1]) : "1" + parts[1]
        guard let duration = Self.parseDuration(window), duration >= .milliseconds(1), duration <= .seconds(366 * 86_400) else { throw error }
        return .some((limit, duration))
    }

    /// `fixed-window`, `sliding-window` or `gcra`.
    func rateLimitAlgorithm(_ name: String) throws(ConfigurationError) -> RateLimitAlgorithm? {
        guard let raw = self.string(name) else { return nil }
        guard let algorithm = RateLimitAlgorithm(raw.lowercased()) else {
            throw ConfigurationError(variable: name, value: raw, accepted: RateLimitAlgorithm.all.map(\.description).joined(separator: ", "))
        }
        return algorithm
    }

    /// Points per lease, `0` to `100000`, or `off` (0).
    func rateLimitLease(_ name: String) throws(ConfigurationError) -> Int? {
        guard let raw = self.string(name) else { return nil }
        if ["off", "none", "false"].contains(raw.lowercased()) { return 0 }
        guard let points = Int(raw), (0...100_000).contains(points) else {
            throw ConfigurationError(variable: name, value: raw, accepted: "points per lease from 0 to 100000, or off")
        }
        return points
    }

    /// `insurance`, `open` or `closed`.
    func rateLimitFailureMode(_ name: String) throws(ConfigurationError) -> RateLimitFailureMode? {
        guard let raw = self.string(name) else { return nil }
        guard let mode = RateLimitFailureMode(raw.lowercased()) else {
            throw ConfigurationError(variable: name, value: raw, accepted: "insurance, open or closed")
        }
        return mode
    }

    /// A comma-separated list of addresses and CIDR networks.
    func trustedProxies(_ name: String) throws(ConfigurationError) -> TrustedProxies? {
        guard let raw = self.string(name) else { return nil }
        guard let proxies = TrustedProxies(parsing: raw) else {
            throw ConfigurationError(variable: name, value: raw, accepted: "addresses or CIDR networks separated by commas, such as 127.0.0.1/32,10.0.0.0/8,::1")
        }
        return proxies
    }
}
