import FleetRedis
import FleetState
import Foundation
import Testing

/// The Redis session store against a real server: per-field writes, the user
/// index, and the TTLs that let Redis drop what has ended.
@Suite(.enabled(if: RedisTestServer.enabled, "set REDIS_URL to run against Redis"))
struct RedisSessionStoreTests {
    func withSessions(_ body: (SessionManager, RedisSessionStore, RedisClient) async throws -> Void) async throws {
        try await withRedisClient { client in
            let store = RedisSessionStore(redis: client, prefix: RedisTestServer.prefix())
            let sessions = SessionManager(store: store, signer: try SessionSigner(secrets: [String(repeating: "r", count: 32)]))
            try await body(sessions, store, client)
        }
    }

    @Test func concurrentWritesOfDifferentFieldsBothSurvive() async throws {
        try await self.withSessions { sessions, _, _ in
            let created = try await sessions.create(userID: "7", fields: ["kept": "yes"])
            let cookie = sessions.cookieValue(for: created.id)
            let seen = try #require(try await sessions.resume(cookie: cookie))
            // Many requests of one session, each writing its own field, all at once.
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask { try await sessions.update(seen.id, set: ["field\(index)": "\(index)"]) }
                }
                for try await updated in group { #expect(updated) }
            }
            let fields = try #require(try await sessions.resume(cookie: cookie)).fields
            #expect(fields.count == 21)
            #expect((0..<20).allSatisfy { fields["field\($0)"] == "\($0)" })
        }
    }

    @Test func theSessionKeyExpiresWithTheSessionAndTouchMovesIt() async throws {
        try await self.withSessions { _, store, client in
            let now = SessionManager.wallClock()
            let record = SessionRecord(
                id: .random(), userID: "7", fields: [:], createdAt: now, idleExpiresAt: now + 60_000, absoluteExpiresAt: now + 120_000
            )
            try await store.create(record, now: now)
            let key = store.prefix + record.id.rawValue
            #expect((55_000...60_000).contains(try await client.pttl(key)))
            try await store.touch(record.id, idleExpiresAt: now + 90_000, now: now)
            #expect((85_000...90_000).contains(try await client.pttl(key)))
            try await store.touch(record.id, idleExpiresAt: now + 500_000, now: now)
            #expect((115_000...120_000).contains(try await client.pttl(key)), "never past the absolute deadline")
            #expect(try await store.load(record.id)?.idleExpiresAt == now + 500_000)
        }
    }

    @Test func aWriteDoesNotBringBackAnEndedSession() async throws {
        try await self.withSessions { sessions, store, client in
            let created = try await sessions.create(userID: "7")
            try await sessions.destroy(created.id)
            #expect(try await sessions.update(created.id, set: ["late": "write"]) == false)
            #expect(try await client.exists([store.prefix + created.id.rawValue]) == 0)
            #expect(try await client.send("SISMEMBER", store.prefix + "user:7", created.id.rawValue).int == 0, "nor its index entry")
        }
    }

    @Test func destroyAllReadsTheIndexAndEndsEverySession() async throws {
        try await self.withSessions { sessions, store, client in
            let mine = [try await sessions.create(userID: "7"), try await sessions.create(userID: "7")]
            let theirs = try await sessions.create(userID: "8")
            try await sessions.destroy(mine[1].id)
            #expect(try await client.send("SCARD", store.prefix + "user:7").int == 1, "destroy also leaves the index")
            let third = try await sessions.regenerate(nil, userID: "7")
            #expect(try await sessions.destroyAll(userID: "7") == 2)
            for session in [mine[0], third] {
                #expect(try await store.load(session.id) == nil)
            }
            #expect(try await client.exists([store.prefix + "user:7"]) == 0)
            #expect(try await store.load(theirs.id) != nil)
        }
    }
}
