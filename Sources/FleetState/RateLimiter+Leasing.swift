import Synchronization

extension RateLimiter {
    /// Asks the backend, and for `leasing` more points too when it grants
    /// leases and the request has one check, handing back `refund` first.
    func backendDecision(_ checks: [RateLimitCheck], now: Int64, leasing want: Int, returning refund: RateLimitRefund?) async throws -> RateLimitDecision {
        guard want > 0 || refund != nil, checks.count == 1, let backend = self.leasingBackend else {
            return try await self.backend.acquire(checks)
        }
        var leasing = self.configuration.leasing
        leasing.maxPoints = want
        let grant: RateLimitGrant
        do {
            grant = try await backend.acquire(checks[0], leasing: leasing, returning: refund)
        } catch {
            self.local.withLock { $0.endRefill(for: checks[0].hash) }
            throw error
        }
        if grant.leased > 0 {
            self.receive(grant, for: checks[0], askedAt: now)
        } else {
            self.local.withLock { $0.endRefill(for: checks[0].hash) }
        }
        return grant.decision
    }

    /// Tops up a lease running low, in the background, so the key's next
    /// requests still find points in hand. Spends nothing for a request.
    func refillLease(_ check: RateLimitCheck, points want: Int) {
        guard let backend = self.leasingBackend else { return }
        var leasing = self.configuration.leasing
        leasing.maxPoints = want
        Task {
            let now = self.clock.now()
            if let grant = try? await backend.lease(check, leasing: leasing), grant.leased > 0 {
                self.receive(grant, for: check, askedAt: now)
            } else {
                self.local.withLock { $0.endRefill(for: check.hash) }
            }
        }
    }

    /// Holds the points of `grant`. Timed from before the round trip, so the
    /// lease ends no later than the window it came from.
    private func receive(_ grant: RateLimitGrant, for check: RateLimitCheck, askedAt now: Int64) {
        let decision = grant.decision
        let expiresAt = now + min(self.configuration.leasing.lifetimeMilliseconds, decision.resetMilliseconds)
        self.local.withLock {
            $0.receive(
                grant.leased, for: check.hash, window: grant.window, expiresAt: expiresAt,
                backendRemaining: decision.remaining, resetAt: now + decision.resetMilliseconds, askedAt: now
            )
        }
    }
}
