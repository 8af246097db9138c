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
