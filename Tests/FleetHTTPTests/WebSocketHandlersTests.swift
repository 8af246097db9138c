import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Synchronization
import Testing

@testable import FleetHTTP

/// The two handlers FleetWebSocketChannel adds, on embedded channels.
@Suite struct WebSocketHandlersTests {
    @Test(arguments: [true, false])
    func theFastPathStepsAsideForAnUpgradeOnlyWhereUpgradesHappen(upgradable: Bool) throws {
        var routes = FastRoutes()
        routes.get("/hello") { _ in .text("hello") }
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(FastPathHandler(routes: routes, logger: Logger(label: "test"), upgradable: upgradable))
        let upgrade = HTTPHeaders([("Connection", "Upgrade"), ("Upgrade", "websocket")])
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/chat/r", headers: upgrade)))
        let stillThere = (try? channel.pipeline.syncOperations.handler(type: FastPathHandler.self)) != nil
        #expect(stillThere == !upgradable, "after an upgrade NIO's frames must not reach an HTTP handler")
        guard case .head(let head) = try channel.readInbound(as: HTTPServerRequestPart.self) else {
            Issue.record("the upgrade request was not passed on")
            return
        }
        #expect(head.uri == "/chat/r")
    }

    @Test func goingAwayRunsOnceWhenTheServerDrainsAndAtOnceAfterwards() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(GoingAwayHandler())
        let calls = Atomic(0)
        channel.whenQuiescing { calls.add(1, ordering: .relaxed) }
        channel.embeddedEventLoop.run()
        #expect(calls.load(ordering: .relaxed) == 0)
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(calls.load(ordering: .relaxed) == 1)
        channel.whenQuiescing { calls.add(10, ordering: .relaxed) }
        channel.embeddedEventLoop.run()
        #expect(calls.load(ordering: .relaxed) == 11, "a connection that opens while the server drains closes at once")
    }
}

/// A drain that begins before an upgradable connection's first request.
@Suite struct GoingAwayDrainTests {
    /// Counts the quiesce events that reach the HTTP handlers' place.
    final class QuiesceCounter: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var count = 0
        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is ChannelShouldQuiesceEvent { self.count += 1 }
        }
    }

    @Test func theFirstRequestAfterTheDrainBeganIsToldToo() throws {
        let channel = EmbeddedChannel()
        let counter = QuiesceCounter()
        try channel.pipeline.syncOperations.addHandlers([GoingAwayHandler(), counter])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 80)).wait()
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        try channel.writeInbound(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        #expect(counter.count == 2, "once when it began, again once the request is in")
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(channel.isActive, "a connection with a request is left to the HTTP handlers")
    }

    @Test func aSilentConnectionIsClosedAfterTheGrace() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(GoingAwayHandler(idleGrace: .seconds(1)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 80)).wait()
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(900))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(200))
        #expect(!channel.isActive)
    }
}
