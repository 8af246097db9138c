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
/// taken. Points a process took and did not spend are lost to the others
/// until the window ends: at most `1 / share` of what was left when they
/// were taken, which shrinks to nothing near the limit (below `share`
/// points left, every request asks the backend).
public struct RateLimitLeasing: Sendable, Hashable {
    /// The most points one lease takes beyond the request's own. Zero turns leasing off.
    public var maxPoints: Int
    /// A lease takes at most a `1 / share` part of what is left.
    public var share: Int
    /// How long a lease may be spent.
    public var lifetime: Duration

    /// - Parameters:
    ///   - maxPoints: points per lease beyond the request's own. Default 1,000.
    ///   - share: a lease takes at most `1 / share` of what is left. Default 16.
    ///   - lifetime: how long a lease may be spent. Default 250 ms.
    public init(maxPoints: Int = 1_000, share: Int = 16, lifetime: Duration = .milliseconds(250)) {
        precondition(maxPoints >= 0 && share >= 1, "a lease takes no points or more, from a share of at least 1")
        self.maxPoints = maxPoints
        self.share = share
        self.lifetime = lifetime
    }

    /// Every request asks the backend.
    public static let off = RateLimitLeasing(maxPoints: 0)

    var isOn: Bool { self.maxPoints > 0 }
}

/// A backend that can grant a lease with a single-check decision (Redis).
public protocol LeasingRateLimitBackend: RateLimitBackend {
    /// `acquire` for one check; when it allows, also takes up to
    /// `leasing.maxPoints` more points, at most `1 / leasing.share` of what is
    /// left, in the same atomic step.
    /// - Returns: the decision (its `remaining` excludes the lease) and the points leased.
    func acquire(_ check: RateLimitCheck, leasing: RateLimitLeasing) async throws -> (decision: RateLimitDecision, leased: Int)

    /// Takes only a lease for the check's key, spending nothing for a request:
    /// the background refill of a lease running low.
    func lease(_ check: RateLimitCheck, leasing: RateLimitLeasing) async throws -> (decision: RateLimitDecision, leased: Int)
}
