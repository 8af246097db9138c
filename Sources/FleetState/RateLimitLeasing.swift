/// How a limiter takes quota from a remote backend (Redis) in batches, so
/// most requests of a busy key are counted in process with no round trip.
///
/// When the backend allows a single-check request, it may also take more
/// points for this process: as many as the key's recent demand would spend
/// in half a `lifetime`, at most `maxPoints`, and never more than a
/// `1 / share` part of what the window has left. The process spends them
/// locally until they run out, the window they came from ends, or
/// `lifetime` passes, and tops the lease up in the background before it
/// runs dry. A key's first request, and a key seen less often than twice a
/// lifetime, takes no lease: light clients are counted exactly.
///
/// Points are taken before they are spent, so a lease never lets more
/// through than the limit: for fixed and sliding windows it is exact within
/// a window; for GCRA a lease may be spent up to `lifetime` after it was
/// taken. Points that expire unspent go back to the window that lent them
/// with the key's next request to the backend; until then they are lost to
/// the others: at most `1 / share` of what was left when they were taken,
/// which shrinks to nothing near the limit (below `share` points left, every
/// request asks the backend).
public struct RateLimitLeasing: Sendable, Hashable {
    /// The most points one lease takes beyond the request's own. Zero turns leasing off.
    public var maxPoints: Int
    /// A lease takes at most a `1 / share` part of what is left.
    public var share: Int
    /// How long a lease may be spent.
    public var lifetime: Duration {
        didSet { self.lifetimeMilliseconds = self.lifetime.milliseconds }
    }
    /// `lifetime` in milliseconds, worked out once: requests spending a lease read it.
    private(set) var lifetimeMilliseconds: Int64

    /// - Parameters:
    ///   - maxPoints: points per lease beyond the request's own. Default 1,000.
    ///   - share: a lease takes at most `1 / share` of what is left. Default 16.
    ///   - lifetime: how long a lease may be spent. Default 250 ms.
    public init(maxPoints: Int = 1_000, share: Int = 16, lifetime: Duration = .milliseconds(250)) {
        precondition(maxPoints >= 0 && share >= 1, "a lease takes no points or more, from a share of at least 1")
        self.maxPoints = maxPoints
        self.share = share
        self.lifetime = lifetime
        self.lifetimeMilliseconds = lifetime.milliseconds
    }

    /// Every request asks the backend.
    public static let off = RateLimitLeasing(maxPoints: 0)

    var isOn: Bool { self.maxPoints > 0 }
}

/// What a leasing backend answers: the request's decision and the points leased with it.
public struct RateLimitGrant: Sendable {
    /// The decision about the request; its `remaining` excludes the lease.
    public var decision: RateLimitDecision
    /// Points leased beyond the request's own.
    public var leased: Int
    /// The window the points came from, to hand unspent ones back to.
    public var window: Int64

    public init(decision: RateLimitDecision, leased: Int, window: Int64) {
        self.decision = decision
        self.leased = leased
        self.window = window
    }
}

/// Leased points that expired unspent, handed back to the window that lent them.
public struct RateLimitRefund: Sendable, Equatable {
    public var points: Int
    public var window: Int64

    public init(points: Int, window: Int64) {
        self.points = points
        self.window = window
    }
}

/// A backend that can grant a lease with a single-check decision (Redis).
public protocol LeasingRateLimitBackend: RateLimitBackend {
    /// `acquire` for one check; when it allows, also takes up to
    /// `leasing.maxPoints` more points, at most `1 / leasing.share` of what is
    /// left, in the same atomic step. `refund` first gives back points of an
    /// expired lease, if the window that lent them is still the current one.
    func acquire(_ check: RateLimitCheck, leasing: RateLimitLeasing, returning refund: RateLimitRefund?) async throws -> RateLimitGrant

    /// Takes only a lease for the check's key, spending nothing for a request:
    /// the background refill of a lease running low.
    func lease(_ check: RateLimitCheck, leasing: RateLimitLeasing) async throws -> RateLimitGrant
}
