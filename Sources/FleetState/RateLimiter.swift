import Atomics
import Logging
import Synchronization

/// Checks requests against rate limits on a backend, and keeps the backend
/// out of the way where it can: keys it rejected are refused in process until
/// they may retry (pre-block), a busy key spends quota leased in batches
/// from a remote backend (`RateLimitLeasing`), and while the backend fails
/// an in-process insurance limiter answers, or every request passes, or none does.
public final class RateLimiter: Sendable {
    let backend: any RateLimitBackend
    let configuration: RateLimiterConfiguration
    private let insurance = RateLimitMemoryBackend()
    let clock: RateLimitClock
    private let logger: Logger
    /// What this process decides without the backend: pre-blocks and leases.
    let local = Mutex(RateLimitLocalState())
    /// Until then, requests skip the failed backend.
    private let backendDownUntil = ManagedAtomic<Int64>(0)
    /// The backend, when it grants leases.
    let leasingBackend: (any LeasingRateLimitBackend)?
    /// The backend, when it answers at once: cast once, not per request.
    private let synchronousBackend: (any SynchronousRateLimitBackend)?
    /// The latest time any key is pre-blocked until: before it, none is.
    private let lastBlockEnds = ManagedAtomic<Int64>(0)

    /// - Parameters:
    ///   - backend: where the limits are counted.
    ///   - configuration: pre-block and failure handling.
    ///   - clock: the time source for pre-blocks and the retry delay. Default monotonic.
    ///   - logger: where backend failures are reported, once per outage.
    public init(
        backend: any RateLimitBackend,
        configuration: RateLimiterConfiguration = .init(),
        clock: RateLimitClock = .monotonic,
        logger: Logger
    ) {
        self.backend = backend
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.leasingBackend = backend as? any LeasingRateLimitBackend
        self.synchronousBackend = backend as? any SynchronousRateLimitBackend
    }

    /// Takes each check's cost if every check allows it, and nothing otherwise.
    /// - Returns: the decision, or nil when the backend failed and the failure
    ///   mode is `.open` (the request passes, unlimited).
    /// - Throws: `FleetStateError` `.backendUnavailable` when the backend failed
    ///   and the failure mode is `.closed`.
    public func acquire(_ checks: [RateLimitCheck]) async throws -> RateLimitDecision? {
        let now = self.clock.now()
        let local = self.localDecision(checks, now: now, noteMiss: true)
        if let decision = local.decision {
            return decision
        }
        let decision: RateLimitDecision?
        if self.backendIsResting(now: now) {
            decision = try self.fallback(checks)
        } else {
            do {
                decision = try await self.backendDecision(checks, now: now, leasing: local.want, returning: local.refund)
                self.backendDownUntil.store(0, ordering: .relaxed)
            } catch {
                let retryAt = now + self.configuration.retryBackendAfter.milliseconds
                if self.backendDownUntil.exchange(retryAt, ordering: .relaxed) == 0 {
                    self.logger.warning(
                        "rate limit backend failed; falling back",
                        metadata: ["ratelimit.fallback": "\(self.configuration.onFailure)", "error.message": "\(error)"]
                    )
                }
                decision = try self.fallback(checks)
            }
        }
        if self.configuration.preBlock, let decision, !decision.isAllowed, decision.retryAfterMilliseconds > 0 {
            self.preBlock(checks[decision.index].hash, until: now + decision.retryAfterMilliseconds, now: now)
        }
        return decision
    }

    /// `acquire` answered at once, for callers that cannot wait (an event
    /// loop); nil when the backend cannot answer without waiting (Redis, with
    /// no lease in hand) or rests after a failure, and then nothing was taken.
    public func acquireNow(_ checks: [RateLimitCheck]) -> RateLimitDecision? {
        let now = self.clock.now()
        // A miss is noted by the `acquire` that follows it, not twice.
        if let decision = self.localDecision(checks, now: now, noteMiss: false).decision {
            return decision
        }
        guard let backend = self.synchronousBackend, self.backendDownUntil.load(ordering: .relaxed) == 0 else {
            return nil
        }
        let decision = backend.acquireNow(checks)
        if self.configuration.preBlock, !decision.isAllowed, decision.retryAfterMilliseconds > 0 {
            self.preBlock(checks[decision.index].hash, until: now + decision.retryAfterMilliseconds, now: now)
        }
        return decision
    }

    /// The refusal for a key refused moments ago and still blocked, decided in
    /// process without the backend; nil when the request must be checked.
    public func blockedDecision(_ checks: [RateLimitCheck]) -> RateLimitDecision? {
        let now = self.clock.now()
        guard self.hasBlockedKeys(at: now) else { return nil }
        return self.local.withLock { $0.blockedDecision(checks, now: now) }
    }

    /// False when no key is pre-blocked now: a caller may skip working out
    /// the checks of a request just to ask `blockedDecision`. It reads no
    /// clock while no block is known: the last block's end is cleared once
    /// passed, unless a new block moved it meanwhile, so after an attack the
    /// check is a load again.
    public var hasBlockedKeys: Bool {
        guard self.configuration.preBlock else { return false }
        let latest = self.lastBlockEnds.load(ordering: .relaxed)
        guard latest != 0 else { return false }
        if latest > self.clock.now() { return true }
        _ = self.lastBlockEnds.compareExchange(expected: latest, desired: 0, ordering: .relaxed)
        return false
    }

    /// Whether the pre-block may refuse anything at `now`; while not, its table needs no lock.
    private func hasBlockedKeys(at now: Int64) -> Bool {
        self.configuration.preBlock && self.lastBlockEnds.load(ordering: .relaxed) > now
    }

    /// What the pre-block or a lease decides, under one lock; otherwise nil
    /// and the points a lease may take along with the backend's answer.
    private func localDecision(_ checks: [RateLimitCheck], now: Int64, noteMiss: Bool) -> (decision: RateLimitDecision?, want: Int, refund: RateLimitRefund?) {
        let preBlock = self.hasBlockedKeys(at: now)
        let leasing = self.leasingBackend != nil && checks.count == 1 ? self.configuration.leasing : .off
        guard preBlock || leasing.isOn else { return (nil, 0, nil) }
        let capacity = self.configuration.preBlockCapacity
        let outcome = self.local.withLock { local -> RateLimitLocalState.LeaseOutcome in
            if preBlock, let blocked = local.blockedDecision(checks, now: now) { return .spent(blocked, refill: nil) }
            guard leasing.isOn else { return .missed(want: 0, refund: nil) }
            return local.spendLease(checks[0], now: now, leasing: leasing, capacity: capacity, noteMiss: noteMiss)
        }
        switch outcome {
        case .spent(let decision, let refill):
            if let refill { self.refillLease(checks[0], points: refill) }
            return (decision, 0, nil)
        case .missed(let want, let refund):
            return (nil, want, refund)
        }
    }

    /// True while the backend rests after a failure. When the rest is over, one
    /// request (the one that moves the deadline on) tries the backend again and
    /// every other keeps to the fallback, so an outage never holds up them all.
    private func backendIsResting(now: Int64) -> Bool {
        let downUntil = self.backendDownUntil.load(ordering: .relaxed)
        guard downUntil != 0 else { return false }
        guard now >= downUntil else { return true }
        let probeUntil = now + self.configuration.retryBackendAfter.milliseconds
        return !self.backendDownUntil.compareExchange(expected: downUntil, desired: probeUntil, ordering: .relaxed).exchanged
    }

    private func preBlock(_ hash: UInt64, until: Int64, now: Int64) {
        let capacity = self.configuration.preBlockCapacity
        self.local.withLock { $0.block(hash, until: until, now: now, capacity: capacity) }
        var latest = self.lastBlockEnds.load(ordering: .relaxed)
        while until > latest {
            let (exchanged, current) = self.lastBlockEnds.compareExchange(expected: latest, desired: until, ordering: .relaxed)
            if exchanged { break }
            latest = current
        }
    }

    private func fallback(_ checks: [RateLimitCheck]) throws -> RateLimitDecision? {
        switch self.configuration.onFailure {
        case .open:
            return nil
        case .closed:
            throw FleetStateError(.backendUnavailable, "the rate limit backend is unavailable")
        default:
            let shares = self.configuration.instances
            let local = checks.map { RateLimitCheck(policy: $0.policy.divided(among: shares), key: $0.key, cost: $0.cost) }
            return self.insurance.acquireNow(local)
        }
    }
}
