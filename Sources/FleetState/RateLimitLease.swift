/// What one process holds and knows of one key's lease: the points in hand,
/// and the key's recent demand, which sizes the next lease.
struct RateLimitLease {
    /// Points in hand.
    var points = 0
    /// The points of the last grant: a refill starts only once fewer than half are left.
    var granted = 0
    /// Local milliseconds after which the points may no longer be spent.
    var expiresAt: Int64 = 0
    /// What the backend had left after the last grant.
    var backendRemaining = 0
    /// Local milliseconds at which the key's quota is whole again.
    var resetAt: Int64 = 0
    /// The backend's window the points came from.
    var window: Int64 = 0
    /// A lease request (a refill, or a miss asking for points) is on its way: no other starts.
    var refilling = false
    /// When the points in hand were asked for, and the points spent since:
    /// the key's demand.
    var since: Int64
    var spent = 0

    init(now: Int64) {
        self.since = now
    }

    /// Points the key would spend in half of `lifetime` at its demand since
    /// the last grant, at most `max`. Half, so a lease is spent before it
    /// expires and a light client takes none.
    func wanted(now: Int64, lifetime: Int64, max: Int) -> Int {
        let elapsed = Swift.max(1, now - self.since)
        return Swift.min(max, Int(Int64(self.spent) * lifetime / (2 * elapsed)))
    }

    /// Spends `cost` points at `now`, if the lease still has them.
    mutating func spend(_ cost: Int, now: Int64) -> RateLimitDecision? {
        guard now < self.expiresAt, self.points >= cost else { return nil }
        self.points -= cost
        self.spent += cost
        return RateLimitDecision(
            isAllowed: true, index: 0, remaining: self.backendRemaining + self.points,
            resetMilliseconds: max(0, self.resetAt - now), retryAfterMilliseconds: 0
        )
    }

    /// Points that expired unspent, taken out of the lease to be handed back.
    mutating func takeExpired(now: Int64) -> RateLimitRefund? {
        guard self.points > 0, now >= self.expiresAt else { return nil }
        defer { self.points = 0 }
        return RateLimitRefund(points: self.points, window: self.window)
    }

    /// The points a refill should ask for, once, when the lease runs low and
    /// the key's demand would spend the rest before the lease expires; nil otherwise.
    mutating func startsRefill(now: Int64, lifetime: Int64, max: Int) -> Int? {
        guard !self.refilling, self.points * 2 < self.granted else { return nil }
        let elapsed = Swift.max(1, now - self.since)
        guard Int64(self.spent) * (self.expiresAt - now) > Int64(self.points) * elapsed else { return nil }
        let wanted = self.wanted(now: now, lifetime: lifetime, max: max)
        guard wanted > 0 else { return nil }
        self.refilling = true
        return wanted
    }

    /// Takes in `points` granted for a request made at `askedAt`. Points
    /// still in hand join them; both end with the earlier deadline unless the
    /// grant came from the same window (the same reset time), as points from
    /// an older window must not outlive it.
    mutating func receive(_ points: Int, window: Int64, expiresAt: Int64, backendRemaining: Int, resetAt: Int64, askedAt: Int64) {
        if self.points > 0, self.expiresAt > askedAt {
            let sameWindow = abs(resetAt - self.resetAt) <= 5
            self.expiresAt = sameWindow ? expiresAt : min(expiresAt, self.expiresAt)
            self.points += points
        } else {
            self.expiresAt = expiresAt
            self.points = points
        }
        self.granted = points
        self.window = window
        self.backendRemaining = backendRemaining
        self.resetAt = resetAt
        self.refilling = false
        self.since = askedAt
        self.spent = 0
    }
}
