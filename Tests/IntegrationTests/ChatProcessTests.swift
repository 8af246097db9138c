import FleetRedis
import FleetState
import Foundation
import Logging
import Synchronization
import NIOWebSocket
import Testing

/// `/chat/:room` across real `fleet` processes: workers of one supervisor
/// (the worker bus) and separate processes on one Redis.
@Suite(.serialized) struct ChatProcessTests {
    @Test func twoWorkersUnderTheSupervisorShareRooms() async throws {
        let fleet = try await SupervisorTests().start(instances: 2, workerEnvironment: ["CHAT_RATE_LIMIT": "off"])
        let clients = try await Self.clientsOnTwoInstances { try await ChatClient.connect(port: fleet.port, room: "bus") }
        try await Self.expectEveryoneReceivesEveryoneInOrder(clients, presencePort: fleet.port, room: "bus")
        try await fleet.stop()
    }

    @Test(.enabled(if: RedisTestServer.enabled, "needs REDIS_URL"))
    func twoProcessesOnRedisShareRooms() async throws {
        let url = try #require(RedisTestServer.url, "CI=true but REDIS_URL is not set")
        let channel = RedisTestServer.prefix() + "chat"
        let pair = try (0..<2).map { _ in try Self.serve(["REDIS_URL": url, "BROADCAST_CHANNEL": channel]) }
        let ports = [try await pair[0].listeningPort(), try await pair[1].listeningPort()]
        let clients = [
            try await ChatClient.connect(port: ports[0], room: "redis"), try await ChatClient.connect(port: ports[1], room: "redis"),
            try await ChatClient.connect(port: ports[1], room: "redis"),
        ]
        try await Self.expectEveryoneReceivesEveryoneInOrder(clients, presencePort: ports[0], room: "redis")
    }

    /// Connects until two clients are on different instances (a connection id starts with its instance).
    static func clientsOnTwoInstances(_ connect: () async throws -> ChatClient) async throws -> [ChatClient] {
        var clients: [ChatClient] = []
        while Set(clients.map(\.instance)).count < 2 {
            try #require(clients.count < 30, "30 connections all landed on one worker")
            clients.append(try await connect())
        }
        return clients
    }

    /// Every client says 30 things at once; each receives all of them, each sender's in order.
    static func expectEveryoneReceivesEveryoneInOrder(_ clients: [ChatClient], presencePort: Int, room: String) async throws {
        let count = 30
        #expect(await eventually { (try? await Self.presenceCount(port: presencePort, room: room)) == clients.count }, "presence lists every client")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, client) in clients.enumerated() {
                group.addTask { for number in 1...count { try await client.say("c\(index)-\(number)") } }
            }
            try await group.waitForAll()
        }
        for client in clients {
            #expect(await client.waitFor { $0.count >= clients.count * count }, "\(client.id) got \(client.messages.count)")
            for index in clients.indices {
                let fromSender = client.texts.filter { $0.hasPrefix("c\(index)-") }
                #expect(fromSender == (1...count).map { "c\(index)-\($0)" }, "\(client.id) from c\(index)")
            }
        }
        for client in clients { try await client.close() }
    }

    static func presenceCount(port: Int, room: String) async throws -> Int? {
        let response = try await RawHTTPConnection.connect(port: port).exchange(
            sending: "GET /chat/\(room)/presence HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        return ChatClient.field("count", of: response.body).flatMap(Int.init)
    }

    static func serve(_ environment: [String: String]) throws -> FleetProcess {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-chat-\(UUID().uuidString)").path
        var env = ["PORT": "0", "FLEET_STATE_DIR": state, "DATABASE_URL": "", "CHAT_RATE_LIMIT": "off"]
        env.merge(environment) { $1 }
        return try FleetProcess(["serve"], environment: env)
    }
}

extension ChatClient {
    /// The instance the connection is on: its id up to the dot.
    var instance: Substring { self.id.prefix { $0 != "." } }
}

/// The Redis backend on its own: two clients stand for two machines.
@Suite(.enabled(if: RedisTestServer.enabled, "needs REDIS_URL"))
struct RedisBroadcastBackendTests {
    @Test func shardedPubSubWhenTheServerHasItAndDeliveryBetweenClients() async throws {
        try await withRedisClient { first in
            try await withRedisClient { second in
                let info = try await first.execute(RedisCommand("INFO", "server")).string ?? ""
                let major = info.split(separator: "\r\n").first { $0.hasPrefix("redis_version:") }.flatMap { Int($0.dropFirst(14).prefix { $0 != "." }) }
                let channel = RedisTestServer.prefix() + "broadcast"
                let sender = RedisBroadcastBackend(redis: first, channel: channel, logger: Logger(label: "test"))
                let receiver = RedisBroadcastBackend(redis: second, channel: channel, logger: Logger(label: "test"))
                #expect(try await sender.usesShardedPubSub() == ((major ?? 0) >= 7), "SPUBLISH exactly from Redis 7 (server \(major ?? 0))")
                let inbox = Mutex<[String]>([])
                let listening = Task { try await receiver.run(deliver: { text in inbox.withLock { $0.append(text) } }, onGap: {}) }
                defer { listening.cancel() }
                var sent = 0
                #expect(await eventually {
                    sent += 1
                    try? await sender.publish("m\(sent)")
                    return !inbox.withLock { $0.isEmpty }
                })
                let received = inbox.withLock { $0 }
                #expect(received.allSatisfy { $0.hasPrefix("m") } && received == received.sorted { Int($0.dropFirst())! < Int($1.dropFirst())! })
            }
        }
    }
}
