import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import FleetHTTP

/// The fast path on an embedded channel: what it answers, what it passes on, and in what order.
@Suite struct FastPathHandlerTests {
    /// Records what the fast path passed on, standing in for Hummingbird.
    final class PassedOn: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        var uris: [String] = []
        var ends = 0

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch self.unwrapInboundIn(data) {
            case .head(let head): self.uris.append(head.uri)
            case .body: break
            case .end: self.ends += 1
            }
        }
    }

    func channel() throws -> (EmbeddedChannel, PassedOn) {
        var routes = FastRoutes()
        routes.get("/hello") { _ in .text("hello") }
        routes.get("/users/:id") { request in request.parameter == "1" ? .json(ByteBuffer(string: #"{"id":1}"#)) : nil }
        let passedOn = PassedOn()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([FastPathHandler(routes: routes, logger: .init(label: "test")), passedOn])
        return (channel, passedOn)
    }

    func send(_ uri: String, to channel: EmbeddedChannel, headers: HTTPHeaders = [:]) throws {
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: headers)))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
    }

    /// The response written for one request: head and body text.
    func response(from channel: EmbeddedChannel) throws -> (head: HTTPResponseHead, body: String)? {
        guard case .head(let head) = try channel.readOutbound(as: HTTPServerResponsePart.self) else { return nil }
        guard case .body(.byteBuffer(let body)) = try channel.readOutbound(as: HTTPServerResponsePart.self) else { return nil }
        guard case .end = try channel.readOutbound(as: HTTPServerResponsePart.self) else { return nil }
        return (head, String(buffer: body))
    }

    @Test func answersAFastRouteWithTheMiddlewaresHeaders() throws {
        let (channel, passedOn) = try self.channel()
        try self.send("/hello?x=1", to: channel, headers: ["X-Request-Id": "abc-123"])
        let answer = try #require(try self.response(from: channel))
        #expect(answer.head.status == .ok)
        #expect(answer.body == "hello")
        #expect(answer.head.headers["Content-Length"] == ["5"])
        #expect(answer.head.headers["X-Request-Id"] == ["abc-123"], "a sane request id is echoed")
        #expect(answer.head.headers["Date"].first?.hasSuffix("GMT") == true)
        #expect(passedOn.uris.isEmpty && passedOn.ends == 0, "nothing reached the router")
    }

    @Test func passesOnWhatItCannotAnswer() throws {
        let (channel, passedOn) = try self.channel()
        try self.send("/users/2", to: channel)
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/hello")))
        #expect(passedOn.uris == ["/users/2", "/hello"], "a nil answer and a POST go to the router")
        #expect(try channel.readOutbound(as: HTTPServerResponsePart.self) == nil)
    }

    @Test func keepsResponsesInOrderBehindAPassedOnRequest() throws {
        let (channel, passedOn) = try self.channel()
        try self.send("/slow", to: channel)
        try self.send("/hello", to: channel)
        #expect(passedOn.uris == ["/slow", "/hello"], "while /slow is unanswered, /hello waits its turn in the router")
        // The router answers both.
        for _ in 0..<2 {
            try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .ok)))
            try channel.writeOutbound(HTTPServerResponsePart.end(nil))
        }
        while try channel.readOutbound(as: HTTPServerResponsePart.self) != nil {}
        try self.send("/users/1", to: channel)
        #expect(try self.response(from: channel)?.body == #"{"id":1}"#, "with nothing pending, the fast path answers again")
        #expect(passedOn.uris.count == 2)
    }

    @Test func answersNothingOnceDraining() throws {
        let (channel, passedOn) = try self.channel()
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        try self.send("/hello", to: channel)
        #expect(passedOn.uris == ["/hello"], "the close-on-drain handler must see every request")
    }
}
