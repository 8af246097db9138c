import FleetRedis
import FleetState
import Logging
import NIOCore
import NIOConcurrencyHelpers
import Testing

/// Caches of several instances on one real Redis: the L2 they share, the
/// invalidations that reach each L1, and how long those take.
@Suite(.serialized, .enabled(if: RedisTestServer.enabled, "set REDIS_URL to run against Redis"))
struct CacheRedisIntegrationTests {
    /// Runs `body` with `count` caches, each on its own client (as separate
    /// instances would be), sharing one unique prefix, once each has subscribed.
    func withCaches<Result: Sendable>(
        _ count: Int, clientName: String = "fleet-test",
        _ body: @escaping @Sendable ([Cache], RedisClient) async throws -> Result
    ) async throws -> Result {
        let prefix = RedisTestServer.prefix()
        let clients = try (0..<count).map { _ in
            RedisClient(configuration: try RedisTestServer.configuration { $0.connection.clientName = clientName }, logger: Logger(label: "fleet-cache-test"))
        }
        let caches = try clients.map { client in
            var configuration = CacheConfiguration()
            configuration.redisPrefix = prefix
            configuration.jitter = 0
            return try Cache(configuration: configuration, backend: .redis(client), logger: Logger(label: "fleet-cache-test"))
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { try await client.run() } }
            for cache in caches { group.addTask { try await cache.run() } }
            defer { group.cancelAll() }
            // Each has subscribed once its L1 starts answering.
            for (index, cache) in caches.enumerated() {
                #expect(await eventually {
                    _ = try? await cache.getOrLoad("ready:\(index)") { ByteBuffer(string: "x") }
                    return cache.statistics().hits > 0
                })
            }
            return try await body(caches, clients[0])
        }
    }

    @Test func anotherInstanceReadsTheL2WithoutLoading() async throws {
        try await withCaches(2) { caches, _ throws in
            let loads = NIOLockedValueBox(0)
            let load: @Sendable () async throws -> ByteBuffer? = {
                loads.withLockedValue { $0 += 1 }
                return ByteBuffer(string: "ada")
            }
            let l2Hits = caches[1].statistics().l2Hits
            #expect(try await caches[0].getOrLoad("user:1", load) == ByteBuffer(string: "ada"))
            #expect(try await caches[1].getOrLoad("user:1", load) == ByteBuffer(string: "ada"))
            #expect(loads.withLockedValue { $0 } == 1)
            #expect(caches[1].statistics().l2Hits == l2Hits + 1)
            // Misses are shared too.
            #expect(try await caches[0].getOrLoad("user:2") { nil } == nil)
            #expect(try await caches[1].getOrLoad("user:2") { ByteBuffer(string: "unexpected") } == nil)
        }
    }

    /// Time from a write's invalidation on one instance to another instance's
    /// L1 no longer serving the old value, over pub/sub; printed, median of 50.
    @Test func anInvalidationReachesEveryL1() async throws {
        try await withCaches(2) { caches, _ in
            var samples: [Duration] = []
            for round in 0..<50 {
                let key = "user:\(round)"
                let old = ByteBuffer(string: "old")
                _ = try await caches[1].getOrLoad(key) { old }
                #expect(try await caches[1].getOrLoad(key) { ByteBuffer(string: "unexpected") } == old)
                let start = ContinuousClock.now
                try await caches[0].invalidate(key)
                // Spin on the other L1 until the old entry is gone; the loader then says "deleted".
                while try await caches[1].getOrLoad(key, { nil }) == old { await Task.yield() }
                samples.append(ContinuousClock.now - start)
            }
            samples.sort()
            print("cache invalidation over Redis pub/sub, write to read elsewhere: median \(samples[samples.count / 2]), p90 \(samples[samples.count * 9 / 10]), max \(samples.last!)")
            #expect(caches[1].statistics().invalidations == 50)
        }
    }

    /// The L2 side of the race: a load reads the old row, a write commits and
    /// invalidates, then the load writes back what it read. No instance may
    /// be served that old value afterwards.
    @Test func aLoadRacingAWriteLeavesNoOldValueInRedis() async throws {
        try await withCaches(3) { caches, _ in
            let database = NIOLockedValueBox("v1")
            let raced = try await caches[0].getOrLoad("user:1") {
                let read = database.withLockedValue { $0 }
                database.withLockedValue { $0 = "v2" }
                try await caches[1].invalidate("user:1")
                return ByteBuffer(string: read)
            }
            #expect(raced == ByteBuffer(string: "v1"))
            let fresh: @Sendable () async throws -> ByteBuffer? = { ByteBuffer(string: database.withLockedValue { $0 }) }
            #expect(try await caches[2].getOrLoad("user:1", fresh) == ByteBuffer(string: "v2"), "Redis kept no v1")
            #expect(try await caches[0].getOrLoad("user:1", fresh) == ByteBuffer(string: "v2"), "nor did the racing L1")
        }
    }

    /// Messages published while the subscriber connection is down are lost,
    /// so a resubscription must empty the L1.
    @Test func aResubscriptionFlushesTheL1() async throws {
        let name = "fleet-cache-resubscribe-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try await withCaches(1, clientName: name) { caches, redis in
            let cache = caches[0]
            _ = try await cache.getOrLoad("user:1") { ByteBuffer(string: "v1") }
            _ = try await cache.getOrLoad("user:1") { ByteBuffer(string: "unexpected") }
            let before = cache.statistics()
            // Only this cache's subscriber connection: other suites' subscriptions are left alone.
            let clients = try await redis.send("CLIENT", "LIST", "TYPE", "pubsub").string ?? ""
            let line = try #require(clients.split(separator: "\n").first { $0.contains(" name=\(name) ") })
            let id = try #require(line.split(separator: " ").first { $0.hasPrefix("id=") }?.dropFirst(3))
            #expect(try await redis.send("CLIENT", "KILL", "ID", String(id)).int == 1)
            // Once flushed, the next read misses the L1 and finds the value in Redis.
            #expect(await eventually {
                _ = try? await cache.getOrLoad("user:1") { ByteBuffer(string: "unexpected") }
                return cache.statistics().l2Hits > before.l2Hits
            })
        }
    }
}
