import Atomics
import FleetRedis
import FleetState
import Logging
import Testing

/// Quota leased from a real Redis in batches: points are taken before they
/// are spent, so a lease never lets more than the limit through.
@Suite(.enabled(if: RedisTestServer.enabled, "needs REDIS_URL"))
struct RateLimitLeasingTests {
    /// Counts the commands a limiter sends, on the way to the real server.
    struct CountingRedis: RedisCommandExecutor {
        let redis: RedisClient
        let commands = ManagedAtomic<Int>(0)

        func execute(_ command: RedisCommand) async throws -> RESPValue {
            self.commands.wrappingIncrement(ordering: .relaxed)
            return try await self.redis.execute(command)
        }

        func pipeline(_ commands: [RedisCommand]) async throws -> [Result<RESPValue, RedisError>] {
            self.commands.wrappingIncrement(ordering: .relaxed)
            return try await self.redis.pipeline(commands)
        }
    }

    func limiter(_ redis: any RedisCommandExecutor, prefix: String, leasing: RateLimitLeasing = .init()) -> RateLimiter {
        var configuration = RateLimiterConfiguration()
        configuration.leasing = leasing
        return RateLimiter(backend: RateLimitRedisBackend(redis: redis, prefix: prefix), configuration: configuration, logger: Logger(label: "test"))
    }

    @Test(arguments: RateLimitAlgorithm.all)
    func theScriptLeasesAtMostAShareOfWhatIsLeft(algorithm: RateLimitAlgorithm) async throws {
        try await withRedisClient { redis in
            let backend = RateLimitRedisBackend(redis: redis, prefix: RedisTestServer.prefix())
            let leasing = RateLimitLeasing(maxPoints: 100, share: 16)
            let busy = RateLimitCheck(policy: RateLimitPolicy(limit: 10_000, window: .seconds(60), algorithm: algorithm), key: "busy")
            let first = try await backend.acquire(busy, leasing: leasing, returning: nil)
            #expect(first.decision.isAllowed && first.leased == 100, "capped by maxPoints")
            #expect(first.decision.remaining == 10_000 - 1 - 100, "what is left excludes the lease")

            let seed = RateLimitCheck(policy: RateLimitPolicy(limit: 100, window: .seconds(60), algorithm: algorithm), key: "seed")
            let share = try await backend.acquire(seed, leasing: leasing, returning: nil).leased
            #expect(share == 99 / 16, "a sixteenth of what is left")

            let login = RateLimitCheck(policy: RateLimitPolicy(limit: 10, window: .seconds(60), algorithm: algorithm), key: "login")
            let none = try await backend.acquire(login, leasing: leasing, returning: nil).leased
            #expect(none == 0, "below 16 points left, every request asks Redis")
        }
    }

    @Test(arguments: RateLimitAlgorithm.all)
    func unspentPointsGoBackToTheirWindow(algorithm: RateLimitAlgorithm) async throws {
        try await withRedisClient { redis in
            let backend = RateLimitRedisBackend(redis: redis, prefix: RedisTestServer.prefix())
            let check = RateLimitCheck(policy: RateLimitPolicy(limit: 1_000, window: .seconds(60), algorithm: algorithm), key: "client")
            let lent = try await backend.acquire(check, leasing: RateLimitLeasing(maxPoints: 100, share: 1), returning: nil)
            #expect(lent.leased == 100 && lent.decision.remaining == 899)
            let back = try await backend.acquire(check, leasing: .off, returning: RateLimitRefund(points: 100, window: lent.window))
            #expect(back.decision.remaining == 998, "the 100 unspent points are free again, and this request took one")
            if algorithm != .gcra {
                let elsewhere = try await backend.acquire(check, leasing: .off, returning: RateLimitRefund(points: 50, window: lent.window - 60_000))
                #expect(elsewhere.decision.remaining == 997, "points from another window are not given back")
            }
        }
    }

    @Test func twoProcessesLeasingFromOneRedisPassExactlyTheLimit() async throws {
        try await withRedisClient { redis in
            let counting = CountingRedis(redis: redis)
            let prefix = RedisTestServer.prefix()
            // Two limiters stand for two processes: each holds its own leases.
            let limiters = [self.limiter(counting, prefix: prefix), self.limiter(counting, prefix: prefix)]
            let check = RateLimitCheck(policy: RateLimitPolicy(limit: 2_000, window: .seconds(60)), key: "client")
            var allowed = 0
            for attempt in 0..<2_600 where try await limiters[attempt % 2].acquire([check])?.isAllowed == true {
                allowed += 1
            }
            #expect(allowed == 2_000, "every leased point was spent, none beyond the limit")
            let roundTrips = counting.commands.load(ordering: .relaxed)
            #expect(roundTrips < 400, "leases spared most round trips: \(roundTrips) for 2,600 requests")
        }
    }

    @Test func concurrentRequestsOnTwoLimitersNeverPassMoreThanTheLimit() async throws {
        try await withRedisClient { redis in
            let prefix = RedisTestServer.prefix()
            let limiters = [self.limiter(redis, prefix: prefix), self.limiter(redis, prefix: prefix)]
            let check = RateLimitCheck(policy: RateLimitPolicy(limit: 500, window: .seconds(60), algorithm: .slidingWindow), key: "client")
            let allowed = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var passed = 0
                        for _ in 0..<100 where try await limiters[worker % 2].acquire([check])?.isAllowed == true { passed += 1 }
                        return passed
                    }
                }
                return try await group.reduce(0, +)
            }
            // Points a limiter leased and had no request left to spend on are lost: at most a sixteenth of what was left.
            #expect(allowed <= 500 && allowed >= 500 - 2 * (500 / 16), "\(allowed) of 800 passed a limit of 500")
        }
    }

    @Test func aLeaseEndsWithItsWindow() async throws {
        try await withRedisClient { redis in
            let counting = CountingRedis(redis: redis)
            let limiter = self.limiter(counting, prefix: RedisTestServer.prefix(), leasing: RateLimitLeasing(maxPoints: 100, share: 1, lifetime: .seconds(60)))
            let check = RateLimitCheck(policy: RateLimitPolicy(limit: 1_000, window: .milliseconds(300)), key: "client")
            // The second request in a row shows demand: it takes a lease.
            #expect(try await limiter.acquire([check])?.isAllowed == true)
            #expect(try await limiter.acquire([check])?.isAllowed == true)
            let afterLease = counting.commands.load(ordering: .relaxed)
            #expect(limiter.acquireNow([check])?.isAllowed == true, "spent from the lease, at once")
            try await Task.sleep(for: .milliseconds(350))
            #expect(limiter.acquireNow([check]) == nil, "the lease's window is over: Redis must count the next request")
            #expect(try await limiter.acquire([check])?.isAllowed == true)
            #expect(counting.commands.load(ordering: .relaxed) == afterLease + 1)
        }
    }

    @Test func aLightClientTakesNoLease() async throws {
        try await withRedisClient { redis in
            let prefix = RedisTestServer.prefix()
            let limiter = self.limiter(redis, prefix: prefix, leasing: RateLimitLeasing(maxPoints: 100, share: 1, lifetime: .milliseconds(100)))
            let check = RateLimitCheck(policy: RateLimitPolicy(limit: 1_000, window: .seconds(60)), key: "client")
            for _ in 0..<5 {
                #expect(try await limiter.acquire([check])?.isAllowed == true)
                try await Task.sleep(for: .milliseconds(150))
            }
            let counted = try await redis.send("HGET", "\(prefix){client}:default", "c").int
            #expect(counted == 5, "one request every 150 ms spends nothing in 50 ms: Redis counts each, and nothing more")
        }
    }

    @Test func aLeaseThatExpiresUnspentIsHandedBack() async throws {
        try await withRedisClient { redis in
            let prefix = RedisTestServer.prefix()
            let limiter = self.limiter(redis, prefix: prefix, leasing: RateLimitLeasing(maxPoints: 100, share: 1, lifetime: .seconds(1)))
            let check = RateLimitCheck(policy: RateLimitPolicy(limit: 1_000, window: .seconds(60)), key: "client")
            // Two requests within half a second show demand (a lifetime of 1 s, on a busy machine too).
            #expect(try await limiter.acquire([check])?.isAllowed == true)
            #expect(try await limiter.acquire([check])?.isAllowed == true)
            let leased = try await redis.send("HGET", "\(prefix){client}:default", "c").int ?? 0
            #expect(leased > 2, "the second request in a row took a lease")
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(try await limiter.acquire([check])?.isAllowed == true)
            let counted = try await redis.send("HGET", "\(prefix){client}:default", "c").int
            #expect(counted == 3, "the expired lease went back with the next request: Redis counts the three requests")
        }
    }

    @Test func aLeaseRunningLowIsRefilledInTheBackground() async throws {
        try await withRedisClient { redis in
            let prefix = RedisTestServer.prefix()
            let limiter = self.limiter(redis, prefix: prefix, leasing: RateLimitLeasing(maxPoints: 50, share: 16, lifetime: .seconds(10)))
            let check = RateLimitCheck(policy: RateLimitPolicy(limit: 100_000, window: .seconds(60)), key: "client")
            // As the fast path does: at once when a lease has points, through the backend otherwise.
            var servedAtOnce = 0
            var servedByRedis = 0
            for _ in 0..<1_000 {
                if limiter.acquireNow([check])?.isAllowed == true {
                    servedAtOnce += 1
                } else if try await limiter.acquire([check])?.isAllowed == true {
                    servedByRedis += 1
                }
                await Task.yield()
            }
            #expect(servedAtOnce + servedByRedis == 1_000)
            #expect(servedByRedis < 100, "refills kept points in hand: \(servedByRedis) requests waited for Redis")
            let counted = try await redis.send("HGET", "\(prefix){client}:default", "c").int ?? 0
            // In hand at the end: at most a lease taken with a request, a refill and what was left of the last.
            #expect(counted >= 1_000 && counted <= 1_000 + 3 * 50, "Redis counted every point spent, and what is in hand: \(counted), \(servedByRedis) by Redis")
        }
    }

    @Test func leasingOffAsksRedisEveryTime() async throws {
        try await withRedisClient { redis in
            let counting = CountingRedis(redis: redis)
            let limiter = self.limiter(counting, prefix: RedisTestServer.prefix(), leasing: .off)
            let check = RateLimitCheck(policy: RateLimitPolicy(limit: 1_000, window: .seconds(60)), key: "client")
            _ = try await limiter.acquire([check])
            let afterFirst = counting.commands.load(ordering: .relaxed)
            var allowed = 0
            for _ in 0..<20 where try await limiter.acquire([check])?.isAllowed == true { allowed += 1 }
            #expect(allowed == 20)
            #expect(limiter.acquireNow([check]) == nil)
            #expect(counting.commands.load(ordering: .relaxed) == afterFirst + 20)
        }
    }
}
