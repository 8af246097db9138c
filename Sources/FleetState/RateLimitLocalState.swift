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

    /// What a lease says of a request.
    enum LeaseOutcome {
        /// Spent from the lease; `refill` points should be asked for in the background.
        case spent(RateLimitDecision, refill: Int?)
        /// Nothing in hand: the backend must count the request, may lease
        /// `want` points with it, and takes back `refund`.
        case missed(want: Int, refund: RateLimitRefund?)
    }

    /// Spends the check's cost from its key's lease if one is in hand, and
    /// notes the key's demand either way. At most `capacity` keys are known.
    /// Without `noteMiss`, a miss changes nothing.
    mutating func spendLease(_ check: RateLimitCheck, now: Int64, leasing: RateLimitLeasing, capacity: Int, noteMiss: Bool) -> LeaseOutcome {
        let lifetime = leasing.lifetimeMilliseconds
        let known = self.leases.index(forKey: check.hash)
        // Spent in place: one hash lookup, no copy of the lease on the way in and back.
        if let known, let decision = self.leases.values[known].spend(check.cost, now: now) {
            return .spent(decision, refill: self.leases.values[known].startsRefill(now: now, lifetime: lifetime, max: leasing.maxPoints))
        }
        guard noteMiss else { return .missed(want: 0, refund: nil) }
        var lease = known.map { self.leases.values[$0] } ?? RateLimitLease(now: now)
        let refund = lease.takeExpired(now: now)
        // Demand older than two lifetimes says nothing of the next one.
        if now - lease.since > 2 * lifetime { lease = RateLimitLease(now: now) }
        // One lease on its way per key at a time: concurrent misses would each take a share.
        let want = lease.refilling ? 0 : lease.wanted(now: now, lifetime: lifetime, max: leasing.maxPoints)
        if want > 0 { lease.refilling = true }
        lease.spent += check.cost
        if self.leases.count >= capacity, self.leases[check.hash] == nil {
            self.leases = self.leases.filter { $0.value.points > 0 && $0.value.expiresAt > now || now - $0.value.since <= 2 * lifetime }
            guard self.leases.count < capacity else { return .missed(want: 0, refund: refund) }
        }
        self.leases[check.hash] = lease
        return .missed(want: want, refund: refund)
    }

    /// Takes in `points` leased for the key, asked for at `askedAt`; nothing
    /// when the key is no longer known (its points go unspent: fewer pass, never more).
    mutating func receive(_ points: Int, for hash: UInt64, window: Int64, expiresAt: Int64, backendRemaining: Int, resetAt: Int64, askedAt: Int64) {
        self.leases[hash]?.receive(points, window: window, expiresAt: expiresAt, backendRemaining: backendRemaining, resetAt: resetAt, askedAt: askedAt)
    }

    /// Ends a lease request that brought no points (or failed), so a later one may start.
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
}
