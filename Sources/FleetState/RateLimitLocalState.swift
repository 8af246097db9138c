/// What a `RateLimiter` decides in process, behind one lock: keys refused
/// until a time (pre-block), and quota leased from the backend.
struct RateLimitLocalState {
    /// Key hash to the local time until which the key is refused.
    private var blocked: [UInt64: Int64] = [:]
    /// Key hash to the points this process holds for it.
    private var leases: [UInt64: RateLimitLease] = [:]

    /// The refusal for the first check whose key is pre-blocked at `now`.
    func blockedDecision(_ checks: [RateLimitCheck], now: Int64) -> RateLimitDecision? {
        guard !self.blocked.isEmpty else { return nil }
        for index in checks.indices {
            if let until = self.blocked[checks[index].hash], until > now {
                let wait = until - now
                return RateLimitDecision(isAllowed: false, index: index, remaining: 0, resetMilliseconds: wait, retryAfterMilliseconds: wait)
            }
        }
        return nil
    }

    /// Spends the check's cost from its key's lease, if one is in hand, and
    /// says whether the lease ran low and should be refilled now.
    mutating func spendLease(_ check: RateLimitCheck, now: Int64) -> (decision: RateLimitDecision, refill: Bool)? {
        guard !self.leases.isEmpty, var lease = self.leases[check.hash], let decision = lease.spend(check.cost, now: now) else { return nil }
        let refill = lease.startsRefill()
        self.leases[check.hash] = lease
        return (decision, refill)
    }

    /// Ends a refill that brought no points (or failed), so a later one may start.
    mutating func endRefill(for hash: UInt64) {
        self.leases[hash]?.refilling = false
    }

    /// Refuses the key until `until`. Past `capacity` keys, expired ones make
    /// room, and if none has expired the key is not remembered (the backend still counts it).
    mutating func block(_ hash: UInt64, until: Int64, now: Int64, capacity: Int) {
        if self.blocked.count >= capacity {
            self.blocked = self.blocked.filter { $0.value > now }
            guard self.blocked.count < capacity else { return }
        }
        self.blocked[hash] = until
    }

    /// Holds a new lease for the key. Points still in hand join it, and both
    /// end with the earlier deadline, since they may come from an older
    /// window. Past `capacity` keys the new lease is dropped: its points go
    /// unspent, so fewer pass, never more.
    mutating func keep(_ lease: RateLimitLease, for hash: UInt64, now: Int64, capacity: Int) {
        if let held = self.leases[hash], held.points > 0, held.expiresAt > now {
            var merged = lease
            merged.points += held.points
            merged.granted = lease.points
            merged.expiresAt = min(lease.expiresAt, held.expiresAt)
            self.leases[hash] = merged
            return
        }
        if self.leases.count >= capacity, self.leases[hash] == nil {
            self.leases = self.leases.filter { $0.value.expiresAt > now && $0.value.points > 0 }
            guard self.leases.count < capacity else { return }
        }
        self.leases[hash] = lease
    }
}
