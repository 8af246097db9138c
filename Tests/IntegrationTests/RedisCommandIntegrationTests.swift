import FleetRedis
import NIOCore
import Testing

@Suite(.enabled(if: RedisTestServer.enabled, "set REDIS_URL to run against Redis"))
struct RedisCommandIntegrationTests {
    @Test func stringsAndKeys() async throws {
        try await withRedisClient { redis in
            let p = RedisTestServer.prefix()
            #expect(try await redis.get(p + "missing") == nil)
            #expect(try await redis.set(p + "a", to: "1"))
            #expect(try await redis.getString(p + "a") == "1")
            #expect(try await redis.set(p + "a", to: "2", condition: .ifNotExists) == false)
            #expect(try await redis.set(p + "b", to: "x", condition: .ifExists) == false)
            #expect(try await redis.setAndGet(p + "a", to: "3").map { String(buffer: $0) } == "1")
            #expect(try await redis.incrementBy(p + "a", 5) == 8)
            #expect(try await redis.set(p + "ex", to: ByteBuffer(string: "v"), expiration: .seconds(100)))
            #expect((90...100).contains(try await redis.ttl(p + "ex")))
            #expect(try await redis.set(p + "px", to: 1, expiration: .milliseconds(50_000)))
            #expect((40_000...50_000).contains(try await redis.pttl(p + "px")))
            #expect(try await redis.expire(p + "a", seconds: 60))
            #expect(try await redis.pexpire(p + "a", milliseconds: 120_000))
            #expect(try await redis.ttl(p + "nothing") == -2)
            #expect(try await redis.exists([p + "a", p + "ex", p + "nothing"]) == 2)
            let values = try await redis.mget([p + "a", p + "nothing", p + "px"])
            #expect(values.map { $0.map { String(buffer: $0) } } == ["8", nil, "1"])
            #expect(try await redis.delete([p + "a", p + "nothing"]) == 1)
            #expect(try await redis.unlink([p + "ex", p + "px"]) == 2)
            #expect(try await redis.time() > .seconds(1_700_000_000))
            try await redis.ping()
            #expect(try await redis.send("ECHO", "raw").string == "raw")
        }
    }

    @Test func serverErrorsCarryTheirCode() async throws {
        try await withRedisClient { redis in
            let p = RedisTestServer.prefix()
            try await redis.hset(p + "h", fields: [("f", "v")])
            await expectRedisError(.wrongType) { try await redis.incrementBy(p + "h") }
            _ = try await redis.delete([p + "h"])
        }
    }

    @Test func hashes() async throws {
        try await withRedisClient { redis in
            let p = RedisTestServer.prefix()
            #expect(try await redis.hset(p + "h", fields: [("a", "1"), ("b", "2")]) == 2)
            #expect(try await redis.hget(p + "h", field: "a").map { String(buffer: $0) } == "1")
            #expect(try await redis.hincrby(p + "h", field: "b", by: 40) == 42)
            let all = try await redis.hgetall(p + "h").mapValues { String(buffer: $0) }
            #expect(all == ["a": "1", "b": "42"])
            #expect(try await redis.hdel(p + "h", fields: ["a", "zz"]) == 1)
            #expect(try await redis.hgetall(p + "nothing").isEmpty)
            _ = try await redis.delete([p + "h"])
        }
    }

    @Test func sortedSets() async throws {
        try await withRedisClient { redis in
            let p = RedisTestServer.prefix()
            #expect(try await redis.zadd(p + "z", members: [(1, "a"), (2, "b"), (3.5, "c")]) == 3)
            #expect(try await redis.zcard(p + "z") == 3)
            #expect(try await redis.zrange(p + "z", start: 0, stop: -1).map { String(buffer: $0) } == ["a", "b", "c"])
            let scored = try await redis.zrangeWithScores(p + "z", start: -1, stop: -1)
            #expect(scored == [RedisScoredMember(member: ByteBuffer(string: "c"), score: 3.5)])
            #expect(try await redis.zrangeByScore(p + "z", min: 2, max: .infinity).map { String(buffer: $0) } == ["b", "c"])
            let limited = try await redis.zrangeByScoreWithScores(p + "z", min: -.infinity, max: .infinity, limit: (offset: 1, count: 1))
            #expect(limited.map(\.score) == [2])
            #expect(try await redis.zrem(p + "z", members: ["a"]) == 1)
            #expect(try await redis.zremRangeByScore(p + "z", min: 0, max: 2.5) == 1)
            #expect(try await redis.zcard(p + "z") == 1)
            _ = try await redis.delete([p + "z"])
        }
    }

    @Test func scanVisitsEveryMatchingKey() async throws {
        try await withRedisClient { redis in
            let p = RedisTestServer.prefix()
            let keys = (0..<250).map { "\(p)key:\($0)" }
            let replies = try await redis.pipeline(keys.map { RedisCommand("SET", $0, "v") })
            #expect(replies.count == 250)
            var seen = Set<String>()
            for try await key in redis.scan(match: p + "key:*", count: 40) { seen.insert(key) }
            #expect(seen == Set(keys))
            _ = try await redis.unlink(keys)
        }
    }

    @Test func transactions() async throws {
        try await withRedisClient { redis in
            let p = RedisTestServer.prefix()
            let results = try await redis.transaction([RedisCommand("INCR", p + "n"), RedisCommand("INCRBY", p + "n", 10)])
            #expect(try results.map { try $0.get().int } == [1, 11])

            // A watched key changed by someone else aborts the transaction.
            await #expect(throws: RedisError.self) {
                try await redis.withConnection { connection in
                    _ = try await connection.send("WATCH", p + "n")
                    try await redis.incrementBy(p + "n")
                    _ = try await connection.transaction([RedisCommand("INCR", p + "n")])
                }
            }
            #expect(try await redis.getString(p + "n") == "12")
            _ = try await redis.delete([p + "n"])
        }
    }

    @Test func scriptsRecoverFromNoScript() async throws {
        try await withRedisClient { redis in
            let p = RedisTestServer.prefix()
            let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
            #expect(try await redis.run(script, keys: [p + "s"], arguments: ["2"]).int == 2)
            _ = try await redis.send("SCRIPT", "FLUSH")
            #expect(try await redis.run(script, keys: [p + "s"], arguments: ["3"]).int == 5)
            let loaded = try await redis.send("SCRIPT", "EXISTS", script.sha1)
            #expect(loaded.array?.first?.int == 1)
            _ = try await redis.delete([p + "s"])
        }
    }

    @Test func tenThousandConcurrentCommandsPipelineOnOneConnection() async throws {
        try await withRedisClient { redis in
            let p = RedisTestServer.prefix()
            try await withThrowingDiscardingTaskGroup { group in
                for index in 0..<10_000 {
                    group.addTask {
                        try await redis.incrementBy(p + "counter")
                        let echoed = try await redis.send("ECHO", "m\(index)").string
                        #expect(echoed == "m\(index)")
                    }
                }
            }
            #expect(try await redis.getString(p + "counter") == "10000")
            let batch = try await redis.pipeline((0..<10_000).map { _ in RedisCommand("INCR", p + "batch") })
            #expect(try batch.last?.get().int == 10_000)
            _ = try await redis.delete([p + "counter", p + "batch"])
        }
    }
}
