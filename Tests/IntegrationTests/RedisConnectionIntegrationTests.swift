import FleetRedis
import Foundation
import Logging
import NIOCore
import Testing

@Suite(.enabled(if: RedisTestServer.enabled, "set REDIS_URL to run against Redis"))
struct RedisConnectionIntegrationTests {
    @Test func commandTimeoutFailsAndTheClientRecovers() async throws {
        try await withRedisClient({ $0.connection.commandTimeout = .milliseconds(200) }) { redis in
            let key = RedisTestServer.prefix() + "empty-list"
            try await redis.ping()
            let start = ContinuousClock.now
            await expectRedisError(.timeout) { try await redis.withConnection { try await $0.send("BLPOP", key, 5) } }
            // Well before BLPOP's own 5 seconds.
            #expect(ContinuousClock.now - start < .seconds(4))
            try await redis.ping()
            await #expect(throws: RedisError.self) { try await redis.send("BLPOP", key, 5) }
            #expect(await eventually { (try? await redis.ping()) != nil })
        }
    }

    @Test func aclUserAuthenticatesInHello() async throws {
        try await withRedisClient { admin in
            let user = "fleet-test-\(UUID().uuidString.prefix(8))"
            _ = try await admin.send("ACL", "SETUSER", user, "on", ">secret", "~*", "&*", "+@all")
            try await withRedisClient({ $0.connection.username = user; $0.connection.password = "secret" }) { redis in
                let whoami = try await redis.send("ACL", "WHOAMI").string
                #expect(whoami == user)
            }
            var wrong = try RedisTestServer.configuration().connection
            wrong.username = user
            wrong.password = "wrong"
            do {
                _ = try await RedisConnection.connect(configuration: wrong, logger: Logger(label: "test"))
                Issue.record("expected authentication to fail")
            } catch let error as RedisError {
                #expect(error.code == .connectFailed)
                #expect((error.underlying as? RedisError)?.code == .wrongPass)
            }
            _ = try await admin.send("ACL", "DELUSER", user)
        }
    }

    @Test func forcedRESP2Works() async throws {
        try await withRedisClient({ $0.connection.protocolVersion = .resp2; $0.connection.database = 1 }) { redis in
            let p = RedisTestServer.prefix()
            let info = try await redis.send("CLIENT", "INFO").string ?? ""
            #expect(info.contains("resp=2"))
            #expect(info.contains(" db=1 "))
            try await redis.hset(p + "h", fields: [("f", "v")])
            #expect(try await redis.hgetall(p + "h").mapValues { String(buffer: $0) } == ["f": "v"])
            try await redis.zadd(p + "z", members: [(1.5, "m")])
            #expect(try await redis.zrangeWithScores(p + "z", start: 0, stop: -1).map(\.score) == [1.5])
            try await redis.withConnection { #expect($0.protocolVersion == .resp2) }
            _ = try await redis.delete([p + "h", p + "z"])
        }
    }

    @Test func resp3IsNegotiatedByDefault() async throws {
        try await withRedisClient { redis in
            let info = try await redis.send("CLIENT", "INFO").string ?? ""
            #expect(info.contains("resp=3"))
            #expect(info.contains(" name=fleet-test "))
            try await redis.withConnection { #expect($0.protocolVersion == .resp3) }
        }
    }

    @Test func killedPoolConnectionIsReplaced() async throws {
        let name = "fleet-test-pool-\(UUID().uuidString.prefix(8))"
        try await withRedisClient({ $0.connection.clientName = name }) { redis in
            try await redis.ping()
            let ids = try await redis.send("CLIENT", "LIST").string?.split(separator: "\n")
                .filter { $0.contains(" name=\(name) ") }
                .compactMap { $0.split(separator: " ").first?.dropFirst(3) } ?? []
            #expect(!ids.isEmpty)
            for id in ids { _ = try? await redis.send("CLIENT", "KILL", "ID", String(id)) }
            #expect(await eventually { (try? await redis.ping()) != nil })
            try await redis.ping()
        }
    }

    @Test func leaseTimeoutWhenEveryConnectionIsLeased() async throws {
        try await withRedisClient({ $0.maximumConnections = 1; $0.leaseTimeout = .seconds(1) }) { redis in
            // Connecting may take longer than the short lease timeout on a loaded machine.
            #expect(await eventually { (try? await redis.ping()) != nil })
            try await redis.withConnection { _ in
                await expectRedisError(.leaseTimeout) { try await redis.withConnection { try await $0.send("PING") } }
            }
            try await redis.ping()
        }
    }

    @Test func shutDownClientRefusesCommands() async throws {
        let client = RedisClient(configuration: try RedisTestServer.configuration(), logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            try await client.ping()
            group.cancelAll()
            try await group.waitForAll()
        }
        await expectRedisError(.poolShutdown) { try await client.ping() }
    }

    @Test func unixSocketURL() async throws {
        guard let path = ProcessInfo.processInfo.environment["REDIS_UNIX_SOCKET"] else { return }
        let redis = RedisClient(configuration: try RedisClientConfiguration(url: "unix://\(path)"), logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await redis.run() }
            defer { group.cancelAll() }
            try await redis.ping()
        }
    }
}
