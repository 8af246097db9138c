import Atomics
import Logging
import Synchronization

/// Checks requests against rate limits on a backend, and keeps the backend
/// out of the way where it can: keys it rejected are refused in process until
/// they may retry (pre-block), and while it fails an in-process insurance
/// limiter answers, or every request passes, or none does.
public final class RateLimiter: Sendable {
    private let backend: any RateLimitBackend
    private let configuration: RateLimiterConfiguration
    private let insurance = RateLimitMemoryBackend()
    private let clock: RateLimitClock
    private let logger: Logger
    /// Key hash to the local time until which the key is refused.
    private let preBlocked = Mutex<[UInt64: Int64]>([:])
    /// Until then, requests skip the failed backend.
    private let backendDownUntil = ManagedAtomic<Int64>(0)

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
    }

    /// Takes each check's cost if every check allows it, and nothing otherwise.
    /// - Returns: the decision, or nil when the backend failed and the failure
    ///   mode is `.open` (the request passes, unlimited).
    /// - Throws: `FleetStateError` `.backendUnavailable` when the backend failed
    ///   and the failure mode is `.closed`.
    public func acquire(_ checks: [RateLimitCheck]) async throws -> RateLimitDecision? {
        let now = self.clock.now()
        if self.configuration.preBlock, let blocked = self.preBlockedDecision(checks, now: now) {
            return blocked
        }
        let decision: RateLimitDecision?
        if self.backendIsResting(now: now) {
            decision = try self.fallback(checks)
        } else {
            do {
                decision = try await self.backend.acquire(checks)
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
    /// loop); nil when the backend cannot answer without waiting (Redis) or
    /// rests after a failure, and then nothing was taken.
    public func acquireNow(_ checks: [RateLimitCheck]) -> RateLimitDecision? {
        let now = self.clock.now()
        if self.configuration.preBlock, let blocked = self.preBlockedDecision(checks, now: now) {
            return blocked
        }
        guard let backend = self.backend as? any SynchronousRateLimitBackend, self.backendDownUntil.load(ordering: .relaxed) == 0 else {
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
        guard self.configuration.preBlock else { return nil }
        return self.preBlockedDecision(checks, now: self.clock.now())
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

    private func preBlockedDecision(_ checks: [RateLimitCheck], now: Int64) -> RateLimitDecision? {
        self.preBlocked.withLock { blocked in
            guard !blocked.isEmpty else { return nil }
            for index in checks.indices {
                if let until = blocked[checks[index].hash], until > now {
                    let wait = until - now
                    return RateLimitDecision(isAllowed: false, index: index, remaining: 0, resetMilliseconds: wait, retryAfterMilliseconds: wait)
                }
            }
            return nil
        }
    }

    private func preBlock(_ hash: UInt64, until: Int64, now: Int64) {
        self.preBlocked.withLock { blocked in
            if blocked.count >= self.configuration.preBlockCapacity {
                blocked = blocked.filter { $0.value > now }
                guard blocked.count < self.configuration.preBlockCapacity else { return }
            }
            blocked[hash] = until
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
