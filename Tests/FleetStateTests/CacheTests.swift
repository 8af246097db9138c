import NIOCore
import Testing

@testable import FleetState

@Suite struct CacheTests {
    @Test func aThousandConcurrentMissesLoadOnce() async throws {
        let cache = try testCache()
        let loader = TestLoader(gated: true)
        let values = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<1000 {
                group.addTask { try await cache.text("user:1") { try await loader.load("ada") } }
            }
            // Every caller has missed before the one load may finish.
            while cache.statistics().misses < 1000 { await Task.yield() }
            loader.open()
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(loader.calls == 1)
        #expect(values.count == 1000 && values.allSatisfy { $0 == "ada" })
        #expect(cache.statistics().loads == 1)
    }

    @Test func aHitNeverCallsTheLoader() async throws {
        let cache = try testCache()
        let loader = TestLoader()
        #expect(try await cache.text("k") { try await loader.load("v") } == "v")
        #expect(try await cache.text("k") { try await loader.load("other") } == "v")
        #expect(loader.calls == 1)
        let statistics = cache.statistics()
        #expect(statistics.hits == 1 && statistics.misses == 1 && statistics.loads == 1)
    }

    @Test func cachedAnswersFromTheL1Only() async throws {
        let cache = try testCache()
        guard case .miss = cache.cached("k") else { Issue.record("a miss before any load"); return }
        _ = try await cache.text("k") { ByteBuffer(string: "v") }
        guard case .hit(let value) = cache.cached("k") else { Issue.record("a hit after the load"); return }
        #expect(value == ByteBuffer(string: "v"))
        #expect(cache.statistics().misses == 1, "only getOrLoad counts misses")
        try await cache.invalidate("k")
        guard case .miss = cache.cached("k") else { Issue.record("a miss after invalidation"); return }
    }

    @Test func aMissingValueIsCachedForTheNegativeTTL() async throws {
        let cache = try testCache { $0.negativeTTL = .seconds(30) }
        let loader = TestLoader()
        #expect(try await cache.text("missing") { try await loader.load(nil) } == nil)
        #expect(try await cache.text("present") { try await loader.load("here") } == "here")
        #expect(try await cache.text("missing") { try await loader.load(nil) } == nil)
        #expect(loader.calls == 2)
        cache.clock.advance(by: .seconds(31))
        #expect(try await cache.text("missing") { try await loader.load("created") } == "created")
        #expect(try await cache.text("present") { try await loader.load("changed") } == "here", "the positive TTL is longer")
        #expect(loader.calls == 3)
    }

    @Test func aThrowingLoaderGetsTheStaleValue() async throws {
        let cache = try testCache {
            $0.ttl = .seconds(10)
            $0.gracePeriod = .seconds(60)
            $0.retryInterval = .seconds(1)
        }
        let loader = TestLoader()
        #expect(try await cache.text("k") { try await loader.load("v1") } == "v1")
        cache.clock.advance(by: .seconds(11))
        #expect(try await cache.text("k") { try await loader.load(nil, throwing: SourceDown()) } == "v1")
        #expect(cache.statistics().staleServes == 1)
        // Within the retry interval the stale value is served without trying the source again.
        #expect(try await cache.text("k") { try await loader.load(nil, throwing: SourceDown()) } == "v1")
        #expect(loader.calls == 2)
        #expect(cache.statistics().staleServes == 2)
        // Past the grace period there is nothing left to serve.
        cache.clock.advance(by: .seconds(61))
        await #expect(throws: SourceDown.self) {
            try await cache.text("k") { try await loader.load(nil, throwing: SourceDown()) }
        }
    }

    @Test func aSlowLoaderGetsTheStaleValueAndRefreshesLater() async throws {
        let cache = try testCache {
            $0.ttl = .seconds(10)
            $0.loadTimeout = .milliseconds(20)
        }
        #expect(try await cache.text("k") { ByteBuffer(string: "v1") } == "v1")
        cache.clock.advance(by: .seconds(11))
        let slow = TestLoader(gated: true)
        #expect(try await cache.text("k") { try await slow.load("v2") } == "v1")
        #expect(cache.statistics().staleServes == 1)
        // The timed-out load runs on and stores its value when it finishes.
        slow.open()
        var refreshed: String?
        for _ in 0..<1000 where refreshed != "v2" {
            refreshed = try await cache.text("k") { ByteBuffer(string: "unexpected load") }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(refreshed == "v2")
        #expect(slow.calls == 1)
    }

    @Test func withoutAStaleValueASlowLoaderIsAwaited() async throws {
        let cache = try testCache { $0.loadTimeout = .milliseconds(1) }
        let slow = TestLoader(gated: true)
        async let value = cache.text("k") { try await slow.load("v") }
        try await Task.sleep(for: .milliseconds(20))
        slow.open()
        #expect(try await value == "v")
    }

    @Test func anErrorIsNotCached() async throws {
        let cache = try testCache()
        let loader = TestLoader()
        await #expect(throws: SourceDown.self) {
            try await cache.text("k") { try await loader.load(nil, throwing: SourceDown()) }
        }
        #expect(try await cache.text("k") { try await loader.load("v") } == "v")
        #expect(loader.calls == 2)
    }

    @Test func jitterShortensTTLsWithinBounds() throws {
        let cache = try testCache { $0.jitter = 0.2 }
        let samples = (0..<2000).map { _ in cache.jittered(.seconds(100)) }
        let low = CacheClock.nanoseconds(.seconds(80))
        let high = CacheClock.nanoseconds(.seconds(100))
        #expect(samples.allSatisfy { (low...high).contains($0) })
        // Spread over the range, not stuck at one end.
        #expect(samples.min()! < CacheClock.nanoseconds(.seconds(82)))
        #expect(samples.max()! > CacheClock.nanoseconds(.seconds(98)))
    }

    @Test func aJitteredEntryLivesBetweenTheBounds() async throws {
        let cache = try testCache {
            $0.ttl = .seconds(100)
            $0.jitter = 0.2
        }
        let loader = TestLoader()
        _ = try await cache.text("k") { try await loader.load("v") }
        cache.clock.advance(by: .milliseconds(79_900))
        _ = try await cache.text("k") { try await loader.load("v") }
        #expect(loader.calls == 1, "fresh for at least ttl * (1 - jitter)")
        cache.clock.advance(by: .milliseconds(20_200))
        _ = try await cache.text("k") { try await loader.load("v") }
        #expect(loader.calls == 2, "stale after ttl")
    }

    @Test func invalidationForcesALoad() async throws {
        let cache = try testCache()
        let loader = TestLoader()
        _ = try await cache.text("k") { try await loader.load("v1") }
        try await cache.invalidate("k")
        #expect(try await cache.text("k") { try await loader.load("v2") } == "v2")
        #expect(cache.statistics().invalidations == 1)
    }

    @Test func anInvalidatedEntryIsNotServedStale() async throws {
        let cache = try testCache { $0.ttl = .seconds(10) }
        _ = try await cache.text("k") { ByteBuffer(string: "v1") }
        cache.clock.advance(by: .seconds(11))
        try await cache.invalidate("k")
        await #expect(throws: SourceDown.self) {
            try await cache.text("k") { throw SourceDown() }
        }
    }

    @Test func theL1StaysWithinItsCapacity() async throws {
        let cache = try testCache { $0.l1Capacity = 2 }
        let loader = TestLoader()
        for key in ["a", "b", "a", "c"] {
            _ = try await cache.text(key) { try await loader.load(key) }
        }
        #expect(cache.statistics().evictions == 1)
        #expect(loader.calls == 3)
        _ = try await cache.text("a") { try await loader.load("a") }
        #expect(loader.calls == 3, "a was used more recently than b")
        _ = try await cache.text("b") { try await loader.load("b") }
        #expect(loader.calls == 4, "b was evicted")
    }

    @Test func aConfigurationOutOfRangeIsRefused() {
        #expect(throws: FleetStateError.self) { try testCache { $0.l1Capacity = 0 } }
        #expect(throws: FleetStateError.self) { try testCache { $0.jitter = 1.5 } }
    }
}
