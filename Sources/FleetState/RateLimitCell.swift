/// What one policy keeps for one key, and the arithmetic of every algorithm
/// over it. The Redis script (`RateLimitScript`) mirrors this line by line.
///
/// Times are milliseconds on the backend's clock. A stored time further
/// ahead than the policy could have written comes from before the clock
/// restarted (a reboot, a wall clock set back) and is treated as no state.
struct RateLimitCell: Sendable, Equatable {
    /// Fixed and sliding window: the window's start. GCRA: the theoretical arrival time.
    var time: Int64 = 0
    /// Points spent in the current window.
    var count: Int64 = 0
    /// Sliding window: points spent in the previous window.
    var previous: Int64 = 0
    /// Rejected until then, after going over a policy with a block duration.
    var blockedUntil: Int64 = 0

    /// The result of checking a cell: the decision's numbers, and the state to store.
    struct Outcome {
        var isAllowed: Bool
        var remaining: Int64
        var reset: Int64
        var retryAfter: Int64
        /// The state after this request: points taken when allowed, a block set when rejected.
        var next: RateLimitCell
        /// When `next` is no longer worth keeping.
        var expiresAt: Int64
        /// Whether a rejection changed what is stored (set a block).
        var rejectionChangesState: Bool
    }

    /// Checks `cost` points of `policy` at `now`, changing nothing.
    func check(_ policy: RateLimitPolicy, cost: Int64, now: Int64) -> Outcome {
        var cell = self
        if cell.blockedUntil > now + policy.blockMilliseconds { cell.blockedUntil = 0 }
        if cell.blockedUntil > now {
            let wait = cell.blockedUntil - now
            return Outcome(isAllowed: false, remaining: 0, reset: wait, retryAfter: wait, next: cell, expiresAt: cell.blockedUntil, rejectionChangesState: false)
        }
        var outcome: Outcome
        switch policy.algorithm.base {
        case .fixedWindow: outcome = cell.fixedWindow(policy, cost: cost, now: now)
        case .slidingWindow: outcome = cell.slidingWindow(policy, cost: cost, now: now)
        case .gcra: outcome = cell.gcra(policy, cost: cost, now: now)
        }
        if !outcome.isAllowed && policy.blockMilliseconds > 0 {
            outcome.next.blockedUntil = now + policy.blockMilliseconds
            outcome.retryAfter = max(outcome.retryAfter, policy.blockMilliseconds)
            outcome.reset = max(outcome.reset, policy.blockMilliseconds)
            outcome.expiresAt = max(outcome.expiresAt, outcome.next.blockedUntil)
            outcome.rejectionChangesState = true
        }
        return outcome
    }

    private func fixedWindow(_ policy: RateLimitPolicy, cost: Int64, now: Int64) -> Outcome {
        let window = policy.windowMilliseconds
        let limit = Int64(policy.limit)
        var next = self
        if (next.time == 0 && next.count == 0) || now >= next.time + window || next.time > now {
            next.time = now
            next.count = 0
        }
        let reset = next.time + window - now
        let expiresAt = next.time + window
        guard next.count + cost <= limit else {
            return Outcome(isAllowed: false, remaining: max(0, limit - next.count), reset: reset, retryAfter: reset, next: next, expiresAt: expiresAt, rejectionChangesState: false)
        }
        next.count += cost
        return Outcome(isAllowed: true, remaining: limit - next.count, reset: reset, retryAfter: 0, next: next, expiresAt: expiresAt, rejectionChangesState: false)
    }

    private func slidingWindow(_ policy: RateLimitPolicy, cost: Int64, now: Int64) -> Outcome {
        let window = policy.windowMilliseconds
        let limit = Int64(policy.limit)
        let current = now - now % window
        var next = self
        if next.time == current - window {
            next.previous = next.count
            next.count = 0
        } else if next.time != current {
            next.previous = 0
            next.count = 0
        }
        next.time = current
        let elapsed = now - current
        // Rounded up: the estimate never lets through more than the limit at a boundary.
        let weighted = (next.previous * (window - elapsed) + window - 1) / window
        let used = next.count + weighted
        let reset = window - elapsed
        let expiresAt = current + 2 * window
        guard used + cost <= limit else {
            let spare = limit - cost - next.count
            let retryAfter: Int64
            if spare >= 0 {
                // Within this window, once enough of the previous window has slid out.
                retryAfter = max(0, window - elapsed - spare * window / next.previous)
            } else {
                // In the next window, where this window's count is the one sliding out.
                retryAfter = reset + max(0, window - (limit - cost) * window / next.count)
            }
            return Outcome(isAllowed: false, remaining: max(0, limit - used), reset: reset, retryAfter: max(1, retryAfter), next: next, expiresAt: expiresAt, rejectionChangesState: false)
        }
        next.count += cost
        return Outcome(isAllowed: true, remaining: limit - used - cost, reset: reset, retryAfter: 0, next: next, expiresAt: expiresAt, rejectionChangesState: false)
    }

    private func gcra(_ policy: RateLimitPolicy, cost: Int64, now: Int64) -> Outcome {
        let limit = Int64(policy.limit)
        // Rounded up so a burst is exactly `limit`, and the rate never above it.
        let interval = max(1, (policy.windowMilliseconds + limit - 1) / limit)
        let capacity = limit * interval
        var next = self
        if next.time > now + capacity { next.time = 0 }
        let start = max(next.time, now)
        let arrival = start + cost * interval
        guard arrival - now <= capacity else {
            let remaining = max(0, (capacity - (start - now)) / interval)
            return Outcome(isAllowed: false, remaining: remaining, reset: start - now, retryAfter: arrival - now - capacity, next: next, expiresAt: start, rejectionChangesState: false)
        }
        next.time = arrival
        return Outcome(isAllowed: true, remaining: (capacity - (arrival - now)) / interval, reset: arrival - now, retryAfter: 0, next: next, expiresAt: arrival, rejectionChangesState: false)
    }
}
