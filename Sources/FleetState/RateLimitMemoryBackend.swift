import Synchronization

/// Rate-limit state in this process's memory: for one process, for tests,
/// and as the insurance limiter that answers while the shared backend is down.
public final class RateLimitMemoryBackend: SynchronousRateLimitBackend {
    private struct Entry {
        var cell: RateLimitCell
        var expiresAt: Int64
    }

    private struct Table {
        var entries: [UInt64: Entry] = [:]
        /// Past this many entries, the next write sweeps out the expired ones.
        var sweepAt = 1024
    }

    private let table = Mutex(Table())
    private let clock: RateLimitClock

    /// - Parameter clock: the time source. Default the monotonic clock.
    public init(clock: RateLimitClock = .monotonic) {
        self.clock = clock
    }

    public func acquire(_ checks: [RateLimitCheck]) async throws -> RateLimitDecision {
        self.acquireNow(checks)
    }

    /// `acquire` without suspending, for callers that are not async.
    public func acquireNow(_ checks: [RateLimitCheck]) -> RateLimitDecision {
        let now = self.clock.now()
        return self.table.withLock { table in
            let decision = RateLimitCell.acquire(
                checks, now: now,
                load: { table.entries[checks[$0].hash]?.cell ?? RateLimitCell() },
                store: { table.entries[checks[$0].hash] = Entry(cell: $1, expiresAt: $2) }
            )
            if table.entries.count > table.sweepAt {
                table.entries = table.entries.filter { $0.value.expiresAt > now }
                table.sweepAt = max(1024, table.entries.count * 2)
            }
            return decision
        }
    }
}
