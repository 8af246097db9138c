/// Where rate-limit state lives: Redis, a table shared by the processes of
/// one machine, or this process's memory.
public protocol RateLimitBackend: Sendable {
    /// Takes each check's cost from its quota if every check allows it, and
    /// nothing from any of them otherwise; a rejected check still starts its
    /// policy's block. All of it happens atomically.
    /// - Returns: the decision, about the first check that rejected or else
    ///   the one with the fewest points left.
    /// - Throws: `FleetStateError` `.backendUnavailable` when the state cannot be reached.
    func acquire(_ checks: [RateLimitCheck]) async throws -> RateLimitDecision
}

/// A backend that answers without suspending: a lock and a few integer
/// operations (the embedded and memory backends, not Redis). Such a backend
/// can serve a check on an event loop.
public protocol SynchronousRateLimitBackend: RateLimitBackend {
    /// `acquire`, answered at once.
    func acquireNow(_ checks: [RateLimitCheck]) -> RateLimitDecision
}

extension RateLimitCell {
    /// The union rule over cells held in memory, for the in-process backends;
    /// the caller holds whatever lock guards `load` and `store`.
    static func acquire(
        _ checks: [RateLimitCheck],
        now: Int64,
        load: (Int) -> RateLimitCell,
        store: (_ index: Int, _ cell: RateLimitCell, _ expiresAt: Int64) -> Void
    ) -> RateLimitDecision {
        var rejection: RateLimitDecision?
        var fewest = RateLimitDecision(isAllowed: true, index: 0, remaining: .max, resetMilliseconds: 0, retryAfterMilliseconds: 0)
        for index in checks.indices {
            let outcome = load(index).check(checks[index].policy, cost: Int64(checks[index].cost), now: now)
            if outcome.isAllowed {
                if checks.count == 1 { store(index, outcome.next, outcome.expiresAt) }
                if outcome.remaining < fewest.remaining {
                    fewest = RateLimitDecision(isAllowed: true, index: index, remaining: Int(outcome.remaining), resetMilliseconds: outcome.reset, retryAfterMilliseconds: 0)
                }
            } else {
                if outcome.rejectionChangesState { store(index, outcome.next, outcome.expiresAt) }
                if rejection == nil {
                    rejection = RateLimitDecision(
                        isAllowed: false, index: index, remaining: Int(outcome.remaining),
                        resetMilliseconds: outcome.reset, retryAfterMilliseconds: outcome.retryAfter
                    )
                }
            }
        }
        if let rejection { return rejection }
        if checks.count > 1 {
            // Every check allowed: only now take the points, so a rejection took none.
            for index in checks.indices {
                let outcome = load(index).check(checks[index].policy, cost: Int64(checks[index].cost), now: now)
                store(index, outcome.next, outcome.expiresAt)
            }
        }
        return fewest
    }
}
