import Synchronization

extension RateLimiter {
    /// Asks the backend, and for `leasing` more points too when it grants leases and the request has one check.
    func backendDecision(_ checks: [RateLimitCheck], now: Int64, leasing want: Int) async throws -> RateLimitDecision {
        guard want > 0, checks.count == 1, let backend = self.leasingBackend else {
            return try await self.backend.acquire(checks)
        }
        var leasing = self.configuration.leasing
        leasing.maxPoints = want
        let outcome: (decision: RateLimitDecision, leased: Int)
        do {
            outcome = try await backend.acquire(checks[0], leasing: leasing)
        } catch {
            self.local.withLock { $0.endRefill(for: checks[0].hash) }
            throw error
        }
        if outcome.leased > 0 {
            self.receive(outcome.leased, with: outcome.decision, for: checks[0], askedAt: now)
        } else {
            self.local.withLock { $0.endRefill(for: checks[0].hash) }
        }
        return outcome.decision
    }

    /// Tops up a lease running low, in the background, so the key's next
    /// requests still find points in hand. Spends nothing for a request.
    func refillLease(_ check: RateLimitCheck, points want: Int) {
        guard let backend = self.leasingBackend else { return }
        var leasing = self.configuration.leasing
        leasing.maxPoints = want
        Task {
            let now = self.clock.now()
            let leased = try? await backend.lease(check, leasing: leasing)
            if let (decision, points) = leased, points > 0 {
                self.receive(points, with: decision, for: check, askedAt: now)
            } else {
                self.local.withLock { $0.endRefill(for: check.hash) }
            }
        }
    }

    /// Holds `points` leased with `decision`. Timed from before the round
    /// trip, so the lease ends no later than the window it came from.
    private func receive(_ points: Int, with decision: RateLimitDecision, for check: RateLimitCheck, askedAt now: Int64) {
        let expiresAt = now + min(self.configuration.leasing.lifetime.milliseconds, decision.resetMilliseconds)
        self.local.withLock {
            $0.receive(points, for: check.hash, expiresAt: expiresAt, backendRemaining: decision.remaining, resetAt: now + decision.resetMilliseconds, askedAt: now)
        }
    }
}
