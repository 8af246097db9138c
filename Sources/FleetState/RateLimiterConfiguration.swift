/// How a `RateLimiter` guards its backend.
public struct RateLimiterConfiguration: Sendable {
    /// Remember keys the backend rejected, and reject them in process until
    /// their retry time, so a client far over its limit costs no backend
    /// round trip. Default true.
    public var preBlock: Bool = true
    /// The most keys remembered as pre-blocked; past it, new ones are not
    /// remembered until old ones expire. Default 10,000.
    public var preBlockCapacity: Int = 10_000
    /// How quota is leased in batches from a backend that grants leases
    /// (Redis), for keys with a single check. Default on: as many points as a
    /// key's demand spends in 125 ms, at most 1,000 and 1/16 of what is left.
    public var leasing: RateLimitLeasing = .init()
    /// What to do while the backend fails. Default `.insurance`.
    public var onFailure: RateLimitFailureMode = .insurance
    /// The processes sharing the limit (`FLEET_WORKERS`): the insurance limiter
    /// of each allows its share of a policy's limit. Default 1.
    public var instances: Int = 1
    /// How long after a failure requests skip the backend and go straight to
    /// the fallback, so an outage does not add a timeout to every request. Default 1 s.
    public var retryBackendAfter: Duration = .seconds(1)

    /// The defaults, as documented on each property.
    public init() {}
}

/// What a rate limiter does while its backend is unreachable.
public struct RateLimitFailureMode: Sendable, Hashable, CustomStringConvertible {
    private enum Base: String, Sendable, Hashable {
        case insurance, open, closed
    }

    private let base: Base

    /// An in-process limiter takes over, with each process's share of the limit.
    public static let insurance = RateLimitFailureMode(base: .insurance)
    /// Every request passes, unlimited.
    public static let open = RateLimitFailureMode(base: .open)
    /// Every request is refused as unavailable.
    public static let closed = RateLimitFailureMode(base: .closed)

    /// The configuration name: `insurance`, `open` or `closed`.
    public var description: String { self.base.rawValue }

    /// The mode named `name`, or nil.
    public init?(_ name: String) {
        guard let base = Base(rawValue: name) else { return nil }
        self.base = base
    }

    private init(base: Base) {
        self.base = base
    }
}
