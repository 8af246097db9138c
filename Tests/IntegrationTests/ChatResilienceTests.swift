import Foundation
import HummingbirdWSClient
import NIOWebSocket
import Testing

/// What chat rooms do when things go wrong: Redis restarts, a client stalls,
/// the server shuts down or reloads.
@Suite(.serialized) struct ChatResilienceTests {
    /// Pub/sub is at most once: what is published while Redis is down is lost.
    /// The test measures how much, and that the rooms work again afterwards.
    @Test(.enabled(if: RedisTestServer.enabled && RedisPrivateServer.executable != nil, "needs REDIS_URL and redis-server"))
    func roomsComeBackAfterRedisRestartsAndTheLossIsMeasured() async throws {
        let redis = RedisPrivateServer()
        try await redis.start()
        defer { try? FileManager.default.removeItem(at: redis.directory) }
        let servers = try (0..<2).map { _ in try ChatProcessTests.serve(["REDIS_URL": redis.url]) }
        let ports = [try await servers[0].listeningPort(), try await servers[1].listeningPort()]
        let sender = try await ChatClient.connect(port: ports[0], room: "restart")
        let receiver = try await ChatClient.connect(port: ports[1], room: "restart")
        let total = 150
        let restarter = Task {
            try await Task.sleep(for: .seconds(1))
            await redis.stop()
            try await Task.sleep(for: .seconds(1))
            try await redis.start()
        }
        for number in 1...total {
            try await sender.say("n\(number)")
            try await Task.sleep(for: .milliseconds(20))
        }
        try await restarter.value
        // After the restart the subscription is back: new messages arrive.
        var extra = 0
        let back = await eventually(seconds: 20) {
            extra += 1
            try? await sender.say("after\(extra)")
            return receiver.texts.contains { $0.hasPrefix("after") }
        }
        #expect(back, "messages flow again once Redis is back")
        let received = receiver.texts.filter { $0.hasPrefix("n") }
        let lost = total - received.count
        print("chat over Redis restart: \(received.count) of \(total) messages received, \(lost) lost (at most once)")
        #expect(received == received.sorted { Int($0.dropFirst())! < Int($1.dropFirst())! }, "what arrives arrives in order")
        // Sent in the first 200 ms, a second before Redis stopped: nothing excuses losing them.
        #expect(Array(received.prefix(10)) == (1...10).map { "n\($0)" }, "what was sent before the outage arrived")
        try await sender.close()
        try await receiver.close()
        await redis.stop()
    }

    @Test func aClientThatStopsReadingIsDroppedWhileTheRoomKeepsItsRate() async throws {
        let server = try ChatProcessTests.serve(["WS_SEND_QUEUE": "64"])
        let port = try await server.listeningPort()
        let text = String(repeating: "x", count: 3000)
        let count = 3000
        let sender = try await ChatClient.connect(port: port, room: "slow")
        let fast = try await ChatClient.connect(port: port, room: "slow")
        let baseline = try await Self.timeToDeliver(count, of: text, from: sender, to: fast)
        let slow = try await ChatClient.connect(port: port, room: "slow", reading: false)
        let withStalledClient = try await Self.timeToDeliver(count, of: text, from: sender, to: fast)
        print("chat fan-out of \(count) messages: \(baseline) alone, \(withStalledClient) with a stalled client in the room")
        slow.startReading()
        let resumed = ContinuousClock.now
        let close = try await slow.closed(timeout: .seconds(20))
        #expect(ContinuousClock.now - resumed < .seconds(10), "the server had already dropped it")
        // The close frame is queued behind what the socket still holds; a client that stalled long enough gets only the cut.
        #expect(close == nil || close?.closeCode == .policyViolation, "dropped as too slow: \(String(describing: close))")
        #expect(slow.messages.count < count, "it never got the whole room's traffic")
        #expect(withStalledClient < baseline * 3 + .seconds(2), "the stalled client does not slow the room")
        try await sender.close()
        try await fast.close()
    }

    @Test func aGracefulShutdownClosesWebSocketsAsGoingAway() async throws {
        let server = try ChatProcessTests.serve([:])
        let port = try await server.listeningPort()
        let client = try await ChatClient.connect(port: port, room: "bye")
        server.signal(SIGTERM)
        let close = try await client.closed()
        #expect(close?.closeCode == .goingAway)
        #expect(try await server.exitStatus() == 0)
    }

    @Test func aReloadClosesWebSocketsAsGoingAway() async throws {
        let fleet = try await SupervisorTests().start(instances: 2)
        let clients = try await ChatProcessTests.clientsOnTwoInstances { try await ChatClient.connect(port: fleet.port, room: "reload") }
        let (status, output) = try await fleet.control(["reload", "--name", fleet.name])
        #expect(status == 0, "reload: \(output)")
        for client in clients {
            #expect(try await client.closed()?.closeCode == .goingAway, "\(client.id)")
        }
        let again = try await ChatClient.connect(port: fleet.port, room: "reload")
        try await again.close()
        try await fleet.stop()
    }

    /// Sends `count` messages and waits until `receiver` has them all.
    ///
    /// The sender is a member of the room too, so it reads back each message it sends. It
    /// keeps at most `window` messages ahead of what it and `receiver` have read: below the
    /// server's send queue (WS_SEND_QUEUE), so only a client that stops reading can overflow
    /// it. Sent all at once, a loaded machine let the test process fall a queue behind on
    /// its own echoes, and the server rightly dropped the sender as too slow.
    static func timeToDeliver(_ count: Int, of text: String, from sender: ChatClient, to receiver: ChatClient, window: Int = 32) async throws -> Duration {
        let before = receiver.messages.count
        let echoed = sender.messages.count
        let start = ContinuousClock.now
        for sent in 0..<count {
            while min(receiver.messages.count - before, sender.messages.count - echoed) + window <= sent {
                try await Task.sleep(for: .milliseconds(1))
            }
            try await sender.say(text)
        }
        #expect(await receiver.waitFor(seconds: 60) { $0.count >= before + count }, "received \(receiver.messages.count - before) of \(count)")
        return ContinuousClock.now - start
    }
}
