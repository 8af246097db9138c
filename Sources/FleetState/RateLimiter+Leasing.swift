import Synchronization

extension RateLimiter {
    /// Asks the backend, for a lease too when it grants them and the request has one check.
    func backendDecision(_ checks: [RateLimitCheck], now: Int64) async throws -> RateLimitDecision {
        let leasing = self.configuration.leasing
        guard leasing.isOn, checks.count == 1, let backend = self.backend as? any LeasingRateLimitBackend else {
            return try await self.backend.acquire(checks)
        }
        let (decision, leased) = try await backend.acquire(checks[0], leasing: leasing)
        self.keepLease(leased, of: decision, for: checks[0], takenAt: now)
        return decision
    }

    /// Tops up a lease running low, in the background, so the key's next
    /// requests still find points in hand. Spends nothing for a request.
    func refillLease(_ check: RateLimitCheck) {
        guard let backend = self.backend as? any LeasingRateLimitBackend else { return }
        let leasing = self.configuration.leasing
        Task {
            let now = self.clock.now()
            let leased = try? await backend.lease(check, leasing: leasing)
            if let (decision, points) = leased, points > 0 {
                self.keepLease(points, of: decision, for: check, takenAt: now)
            } else {
                self.local.withLock { $0.endRefill(for: check.hash) }
            }
        }
    }

    /// Holds `points` leased with `decision`. Timed from before the round
    /// trip, so the lease ends no later than the window it came from.
    private func keepLease(_ points: Int, of decision: RateLimitDecision, for check: RateLimitCheck, takenAt now: Int64) {
        guard points > 0 else { return }
        let lease = RateLimitLease(
            points: points, expiresAt: now + min(self.configuration.leasing.lifetime.milliseconds, decision.resetMilliseconds),
            backendRemaining: decision.remaining, resetAt: now + decision.resetMilliseconds
        )
        let capacity = self.configuration.preBlockCapacity
        self.local.withLock { $0.keep(lease, for: check.hash, now: now, capacity: capacity) }
    }
}
