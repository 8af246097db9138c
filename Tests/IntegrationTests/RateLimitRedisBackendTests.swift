import FleetRedis
import FleetState
import Testing

/// The Lua script against a real Redis: the same arithmetic as the in-process backends.
@Suite(.enabled(if: RedisTestServer.enabled, "needs REDIS_URL"))
struct RateLimitRedisBackendTests {
    @Test(arguments: RateLimitAlgorithm.all)
    func eachAlgorithmAllowsExactlyTheLimit(algorithm: RateLimitAlgorithm) async throws {
        try await withRedisClient { redis in
            let backend = RateLimitRedisBackend(redis: redis, prefix: RedisTestServer.prefix())
            let policy = RateLimitPolicy(limit: 5, window: .seconds(60), algorithm: algorithm)
            var decisions: [RateLimitDecision] = []
            for _ in 0..<8 { decisions.append(try await backend.acquire([RateLimitCheck(policy: policy, key: "client")])) }
            #expect(decisions.map(\.isAllowed) == [true, true, true, true, true, false, false, false])
            #expect(decisions.prefix(5).map(\.remaining) == [4, 3, 2, 1, 0])
            // A sliding window may have to wait into the next window, until this one's weight
            // lets one point through: a fifth of a window more, with a limit of five.
            let longest: Int64 = algorithm == .slidingWindow ? 72_000 : 60_000
            #expect(decisions.last.map { $0.retryAfterMilliseconds > 0 && $0.retryAfterMilliseconds <= longest } == true)
        }
    }

    @Test func aUnionTakesNothingWhenOneCheckRejects() async throws {
        try await withRedisClient { redis in
            let backend = RateLimitRedisBackend(redis: redis, prefix: RedisTestServer.prefix())
            let perIP = RateLimitPolicy(name: "ip", limit: 10, window: .seconds(60))
            let perUser = RateLimitPolicy(name: "user", limit: 1, window: .seconds(60), algorithm: .gcra)
            let union = [RateLimitCheck(policy: perIP, key: "10.0.0.1"), RateLimitCheck(policy: perUser, key: "ada")]
            #expect(try await backend.acquire(union).isAllowed)
            for _ in 0..<3 {
                let rejected = try await backend.acquire(union)
                #expect(!rejected.isAllowed && rejected.index == 1)
            }
            #expect(try await backend.acquire([union[0]]).remaining == 8, "the IP spent only the request both allowed")
        }
    }

    @Test func aBlockOutlastsTheWindowAndExpiresWithTheKey() async throws {
        try await withRedisClient { redis in
            let prefix = RedisTestServer.prefix()
            let backend = RateLimitRedisBackend(redis: redis, prefix: prefix)
            let policy = RateLimitPolicy(name: "login", limit: 1, window: .seconds(1), blockDuration: .seconds(600))
            #expect(try await backend.acquire([RateLimitCheck(policy: policy, key: "ada")]).isAllowed)
            let blocked = try await backend.acquire([RateLimitCheck(policy: policy, key: "ada")])
            #expect(!blocked.isAllowed)
            #expect(blocked.retryAfterMilliseconds == 600_000)
            let ttl = try await redis.send("PTTL", "\(prefix){ada}:login").int ?? 0
            #expect(ttl > 590_000 && ttl <= 600_000, "the key lives as long as its block, and no longer")
        }
    }
}
