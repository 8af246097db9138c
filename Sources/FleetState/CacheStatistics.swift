/// What a cache has done since it was created; every counter only grows.
/// Read it with `Cache.statistics()`, e.g. from a metrics exporter.
public struct CacheStatistics: Sendable, Equatable {
    /// Reads answered by the in-process L1.
    public var hits = 0
    /// Reads the L1 could not answer.
    public var misses = 0
    /// Misses answered by Redis (L2) without calling the loader.
    public var l2Hits = 0
    /// Loader calls.
    public var loads = 0
    /// Reads answered with a value past its TTL because the loader threw or was too slow.
    public var staleServes = 0
    /// L1 entries dropped to stay within `l1Capacity`.
    public var evictions = 0
    /// Keys invalidated, here or (Redis) by a message from another instance.
    public var invalidations = 0

    public init() {}
}
