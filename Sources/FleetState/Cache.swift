import FleetRedis
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Cache-aside with two levels: an in-process L1 (a size-bounded LRU behind a
/// lock) in front of the backend's shared level, with single-flight loads,
/// TTL jitter, negative caching, stale values served when the loader fails,
/// and invalidation that reaches every instance.
///
/// ```swift
/// let cache = try Cache(backend: .redis(redis), logger: logger)   // run it in the ServiceGroup
/// let json = try await cache.getOrLoad("user:\(id)") { try await store.user(id: id)?.json }
/// try await store.update(id: id, input)
/// try await cache.invalidate("user:\(id)")                          // after the write commits
/// ```
///
/// Values are bytes, so a hit hands back what was cached without decoding or
/// encoding anything. A hit takes the L1 lock once and, to check the entry is
/// still current, loads one atomic generation counter.
public final class Cache: Service, Sendable {
    /// The configuration the cache was created with.
    public let configuration: CacheConfiguration
    let generations: CacheGenerations
    let redis: CacheRedisLevel?
    let l1: Mutex<CacheL1>
    let flights = Mutex<[String: Task<ByteBuffer?, any Error>]>([:])
    let clock = CacheClock()
    /// Whether the L1 may be used: always, except with Redis before the
    /// invalidation channel is subscribed, when no write would reach it.
    let coherent: Atomic<Bool>
    /// Tags this instance's invalidation messages, so it skips its own.
    let origin = String(UInt64.random(in: 1...UInt64.max), radix: 36)
    let logger: Logger
    let loads = Atomic<Int>(0)
    let l2Hits = Atomic<Int>(0)
    let staleServes = Atomic<Int>(0)
    let invalidations = Atomic<Int>(0)

    /// Creates a cache; with Redis, `run()` it to keep the L1 coherent.
    /// - Parameters:
    ///   - configuration: TTLs, grace period, timeouts and the L1 bound.
    ///   - backend: `.memory`, `.embedded(stateDirectory:)` or `.redis(client)`.
    ///   - logger: where stale serves and backend failures are logged.
    /// - Throws: `FleetStateError` when the configuration is out of range or the
    ///   embedded backend cannot map its state file.
    public init(configuration: CacheConfiguration = .init(), backend: CacheBackend, logger: Logger) throws(FleetStateError) {
        try configuration.validate()
        self.configuration = configuration
        self.logger = logger
        self.l1 = Mutex(CacheL1(entries: LRUCache(capacity: configuration.l1Capacity)))
        switch backend.kind {
        case .memory:
            self.generations = CacheGenerations()
            self.redis = nil
            self.coherent = Atomic(true)
        case .embedded(let stateDirectory):
            self.generations = try Self.sharedGenerations(stateDirectory: stateDirectory)
            self.redis = nil
            self.coherent = Atomic(true)
        case .redis(let client):
            self.generations = CacheGenerations()
            self.redis = CacheRedisLevel(client: client, prefix: configuration.redisPrefix)
            self.coherent = Atomic(false)
        }
    }

    /// With Redis, listens for invalidations until graceful shutdown, using the
    /// L1 only while subscribed; otherwise just waits for shutdown.
    public func run() async throws {
        guard let redis = self.redis else {
            try? await gracefulShutdown()
            return
        }
        await self.listen(redis)
    }

    /// The value for `key`: from the L1, else the backend, else `load`, whose
    /// result is cached for `ttl` (a nil result, "no such value", for the
    /// shorter `negativeTTL`). Concurrent misses of one key in this process
    /// share one load.
    ///
    /// When `load` throws, or runs past `loadTimeout`, while a value past its
    /// TTL but within `gracePeriod` is at hand, that stale value is returned.
    /// - Parameters:
    ///   - key: the key; the same string in every instance.
    ///   - ttl: how long the loaded value stays fresh. Default `configuration.ttl`.
    ///   - load: reads the source of truth; it may run on after the caller got a stale value.
    /// - Throws: what `load` threw, when there was no stale value to fall back on.
    public func getOrLoad(
        _ key: String, ttl: Duration? = nil, _ load: @escaping @Sendable () async throws -> ByteBuffer?
    ) async throws -> ByteBuffer? {
        if case .hit(let value) = self.lookup(key) { return value }
        return try await self.loadOnce(key, ttl: ttl ?? self.configuration.ttl, load)
    }

    /// The L1's answer for `key`, without loading or waiting: for code that
    /// must not suspend, such as a route answered on the event loop. A hit
    /// counts as one; a miss does not, as the `getOrLoad` that follows counts it.
    public func cached(_ key: String) -> CacheLookup {
        self.lookup(key, countingMisses: false)
    }

    /// Drops `key` everywhere: this process's L1 at once, every worker's on
    /// the embedded backend at once, and with Redis the L2 and, within the
    /// pub/sub delivery time, every instance's L1. Call it after the write to
    /// the source of truth has committed.
    /// - Throws: `FleetStateError` `.backendUnavailable` when Redis did not take
    ///   the invalidation; other instances may then serve the old value until its TTL.
    public func invalidate(_ key: String) async throws {
        let slot = self.generations.slot(for: key)
        self.generations.advance(slot)
        self.remove(key)
        self.invalidations.add(1, ordering: .relaxed)
        guard let redis = self.redis else { return }
        // Again afterwards: a load here may have read the old value from Redis meanwhile.
        defer { self.generations.advance(slot) }
        do {
            let lifetime = max(self.configuration.ttl + self.configuration.gracePeriod, .seconds(600))
            try await redis.invalidate(key, message: "\(self.origin) \(key)", versionLifetime: lifetime)
        } catch {
            throw FleetStateError(.backendUnavailable, "cache could not invalidate \(key) in Redis", underlying: error)
        }
    }

    /// The counters so far.
    public func statistics() -> CacheStatistics {
        var statistics = CacheStatistics()
        self.l1.withLock { l1 in
            statistics.hits = l1.hits + l1.staleHits
            statistics.misses = l1.misses
            statistics.evictions = l1.evictions
            statistics.staleServes = l1.staleHits
        }
        statistics.loads = self.loads.load(ordering: .relaxed)
        statistics.l2Hits = self.l2Hits.load(ordering: .relaxed)
        statistics.staleServes += self.staleServes.load(ordering: .relaxed)
        statistics.invalidations = self.invalidations.load(ordering: .relaxed)
        return statistics
    }

    private static func sharedGenerations(stateDirectory: String) throws(FleetStateError) -> CacheGenerations {
        let path = "\(stateDirectory)/cache.generations"
        do {
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            return try CacheGenerations(path: path)
        } catch let error as FleetStateError {
            throw error
        } catch {
            throw FleetStateError(.sharedMemory, "cannot create the state directory \(stateDirectory)", underlying: error)
        }
    }
}
