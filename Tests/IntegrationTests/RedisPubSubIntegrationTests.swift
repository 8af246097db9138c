import FleetRedis
import Foundation
import NIOCore
import Synchronization
import Testing

/// Collects what a subscription receives, in the background of a test.
final class RedisInbox: Sendable {
    private let messages = Mutex<[RedisPubSubMessage]>([])

    func consume(_ subscription: RedisSubscription) async {
        for await message in subscription { messages.withLock { $0.append(message) } }
    }

    var texts: [String] { messages.withLock { $0.map(\.text) } }
    var all: [RedisPubSubMessage] { messages.withLock { $0 } }
}

@Suite(.serialized, .enabled(if: RedisTestServer.enabled, "set REDIS_URL to run against Redis"))
struct RedisPubSubIntegrationTests {
    func subscriberCount(_ redis: RedisClient, _ channel: String) async throws -> Int {
        try await redis.send("PUBSUB", "NUMSUB", channel).array?.last?.int ?? -1
    }

    @Test func subscribersOfOneChannelShareOneServerSubscription() async throws {
        try await withRedisClient { subscriber in
            try await withRedisClient { publisher in
                let channel = RedisTestServer.prefix() + "news"
                let first = try await subscriber.subscribe(to: [channel])
                let second = try await subscriber.subscribe(to: [channel])
                #expect(try await subscriberCount(publisher, channel) == 1)
                let inbox1 = RedisInbox(), inbox2 = RedisInbox()
                async let consumed1: Void = inbox1.consume(first)
                async let consumed2: Void = inbox2.consume(second)
                #expect(try await publisher.publish("hello", to: channel) == 1)
                #expect(await eventually { inbox1.texts == ["hello"] && inbox2.texts == ["hello"] })

                first.cancel()
                await consumed1
                #expect(try await subscriberCount(publisher, channel) == 1)
                try await publisher.publish("again", to: channel)
                #expect(await eventually { inbox2.texts == ["hello", "again"] })
                #expect(inbox1.texts == ["hello"])

                second.cancel()
                await consumed2
                #expect(try await eventually { try await subscriberCount(publisher, channel) == 0 })
            }
        }
    }

    @Test func patternAndShardSubscriptions() async throws {
        try await withRedisClient { redis in
            let p = RedisTestServer.prefix()
            let patterned = try await redis.psubscribe(to: [p + "room:*"])
            let sharded = try await redis.ssubscribe(to: [p + "shard"])
            let patternInbox = RedisInbox(), shardInbox = RedisInbox()
            async let a: Void = patternInbox.consume(patterned)
            async let b: Void = shardInbox.consume(sharded)
            try await redis.publish("hi", to: p + "room:1")
            _ = try await redis.send("SPUBLISH", p + "shard", "sharded")
            #expect(await eventually { patternInbox.texts == ["hi"] && shardInbox.texts == ["sharded"] })
            #expect(patternInbox.all.first?.pattern == p + "room:*")
            #expect(patternInbox.all.first?.channel == p + "room:1")
            patterned.cancel()
            sharded.cancel()
            _ = await (a, b)
        }
    }

    @Test func scopedSubscriptionEndsWithItsBody() async throws {
        try await withRedisClient { redis in
            let channel = RedisTestServer.prefix() + "scoped"
            let first = try await redis.subscribe(to: [channel]) { messages -> String? in
                try await redis.publish("one", to: channel)
                for await message in messages { return message.text }
                return nil
            }
            #expect(first == "one")
            #expect(try await eventually { try await subscriberCount(redis, channel) == 0 })
        }
    }

    @Test func subscriptionSurvivesClientKill() async throws {
        let name = "fleet-test-sub-\(UUID().uuidString.prefix(8))"
        try await withRedisClient({ $0.connection.clientName = name }) { subscriber in
            try await withRedisClient { publisher in
                let channel = RedisTestServer.prefix() + "kill"
                let subscription = try await subscriber.subscribe(to: [channel])
                let inbox = RedisInbox()
                async let consumed: Void = inbox.consume(subscription)
                try await publisher.publish("before", to: channel)
                #expect(await eventually { inbox.texts == ["before"] })

                let killed = try await killClients(named: name, using: publisher)
                #expect(killed >= 1)
                // Publish until the resubscribed connection receives; nothing ends the sequence.
                #expect(try await eventually {
                    try await publisher.publish("after", to: channel) > 0 && inbox.texts.contains("after")
                })
                #expect(inbox.texts.first == "before")
                subscription.cancel()
                await consumed
            }
        }
    }

    @Test func subscriptionSurvivesClientKillTypePubSub() async throws {
        try await withRedisClient { admin in
            let user = "fleet-test-\(UUID().uuidString.prefix(8))"
            _ = try await admin.send("ACL", "SETUSER", user, "on", ">pw-\(user)", "~*", "&*", "+@all")
            defer { Task { _ = try? await admin.send("ACL", "DELUSER", user) } }
            try await withRedisClient({ $0.connection.username = user; $0.connection.password = "pw-\(user)" }) { subscriber in
                let channel = RedisTestServer.prefix() + "killtype"
                let subscription = try await subscriber.subscribe(to: [channel])
                let inbox = RedisInbox()
                async let consumed: Void = inbox.consume(subscription)
                // Only this test's user: other clients of the server keep their subscriptions.
                let killed = try await admin.send("CLIENT", "KILL", "TYPE", "pubsub", "USER", user).int
                #expect(killed == 1)
                #expect(try await eventually {
                    try await admin.publish("back", to: channel) > 0 && inbox.texts.contains("back")
                })
                subscription.cancel()
                await consumed
            }
            _ = try await admin.send("ACL", "DELUSER", user)
        }
    }

    @Test func resp2SubscriptionsUseSubscribeModeReplies() async throws {
        try await withRedisClient({ $0.connection.protocolVersion = .resp2 }) { redis in
            let channel = RedisTestServer.prefix() + "resp2"
            let subscription = try await redis.subscribe(to: [channel])
            let inbox = RedisInbox()
            async let consumed: Void = inbox.consume(subscription)
            try await redis.publish("two", to: channel)
            #expect(await eventually { inbox.texts == ["two"] })
            subscription.cancel()
            await consumed
        }
    }

    /// Kills every connection whose client name is `name`; returns how many.
    func killClients(named name: String, using redis: RedisClient) async throws -> Int {
        let list = try await redis.send("CLIENT", "LIST").string ?? ""
        var killed = 0
        for line in list.split(separator: "\n") where line.contains(" name=\(name) ") {
            guard let id = line.split(separator: " ").first(where: { $0.hasPrefix("id=") })?.dropFirst(3) else { continue }
            killed += try await redis.send("CLIENT", "KILL", "ID", String(id)).int ?? 0
        }
        return killed
    }
}
