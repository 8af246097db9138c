import FleetRedis

/// Where a `Cache` keeps what its in-process L1 cannot, and how the
/// instances sharing it learn of each other's writes.
public struct CacheBackend: Sendable {
    enum Kind: Sendable {
        case memory
        case embedded(stateDirectory: String)
        case redis(RedisClient)
    }

    let kind: Kind

    /// One process only: the L1 and nothing else. For tests and single-process tools.
    public static var memory: CacheBackend { CacheBackend(kind: .memory) }

    /// Every worker process of one machine, with no server: an L1 per process,
    /// kept exactly coherent by generation counters in shared memory
    /// (`cache.generations` under `stateDirectory`), so a write through any
    /// worker is seen by all of them at once.
    public static func embedded(stateDirectory: String) -> CacheBackend {
        CacheBackend(kind: .embedded(stateDirectory: stateDirectory))
    }

    /// Every instance that shares `client`'s server: Redis is the L2 (values
    /// with TTLs, written only if no invalidation raced the load) and each
    /// process's L1 drops a key when an invalidation arrives over pub/sub.
    /// The client must be running; the cache uses L1 only once it has subscribed.
    public static func redis(_ client: RedisClient) -> CacheBackend {
        CacheBackend(kind: .redis(client))
    }
}
