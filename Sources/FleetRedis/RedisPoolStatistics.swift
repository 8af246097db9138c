import Synchronization

/// A snapshot of a `RedisClient`'s pool, for metrics.
public struct RedisPoolStatistics: Sendable, Equatable {
    /// Open connections leased to one caller (`withConnection`).
    public var leased = 0
    /// Open connections that pipeline any caller's commands.
    public var shared = 0
    /// Connections being opened.
    public var connecting = 0
    /// Callers waiting for a connection.
    public var waiters = 0
    /// The most connections the pool opens.
    public var maximum = 0
}

extension RedisClient {
    /// The pool's connections and waiters now.
    public var poolStatistics: RedisPoolStatistics {
        let maximum = self.configuration.maximumConnections
        return self.pool.state.withLock { state in
            let leased = state.entries.count { $0.leased }
            return RedisPoolStatistics(
                leased: leased,
                shared: state.entries.count - leased,
                connecting: state.connecting,
                waiters: state.sharedWaiters.count + state.leaseWaiters.count,
                maximum: maximum
            )
        }
    }
}
