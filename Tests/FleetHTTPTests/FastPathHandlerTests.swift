import Foundation
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
        routes.get("/large") { _ in .text(String(repeating: "x", count: 10_000)) }
        let passedOn = PassedOn()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([HTTPResponseEncoder(), FastPathHandler(routes: routes, logger: .init(label: "test")), passedOn])
        return (channel, passedOn)
    }

    func send(_ uri: String, to channel: EmbeddedChannel, headers: HTTPHeaders = [:]) throws {
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: headers)))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
    }

    /// The bytes written so far, as one string.
    func written(to channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let data = try channel.readOutbound(as: IOData.self) {
            guard case .byteBuffer(let buffer) = data else { continue }
            text += String(buffer: buffer)
        }
        return text
    }

    /// The response written for one request: status line, headers and body, parsed from the bytes.
    func response(from channel: EmbeddedChannel) throws -> (status: String, headers: [String: String], body: String)? {
        let text = try self.written(to: channel)
        guard let blank = text.range(of: "\r\n\r\n") else { return nil }
        var lines = text[..<blank.lowerBound].components(separatedBy: "\r\n")
        let status = lines.removeFirst()
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers[String(line[..<colon])] = String(line[line.index(after: colon)...].dropFirst())
        }
        return (status, headers, String(text[blank.upperBound...]))
    }

    @Test func answersAFastRouteWithTheMiddlewaresHeaders() throws {
        let (channel, passedOn) = try self.channel()
        try self.send("/hello?x=1", to: channel, headers: ["X-Request-Id": "abc-123"])
        let answer = try #require(try self.response(from: channel))
        #expect(answer.status == "HTTP/1.1 200 OK")
        #expect(answer.body == "hello")
        #expect(answer.headers["Content-Length"] == "5")
        #expect(answer.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(answer.headers["X-Request-Id"] == "abc-123", "a sane request id is echoed")
        #expect(answer.headers["Date"]?.hasSuffix("GMT") == true)
        #expect(passedOn.uris.isEmpty && passedOn.ends == 0, "nothing reached the router")
    }

    @Test func anHTTP10KeepAliveClientIsToldTheConnectionStaysOpen() throws {
        let (channel, _) = try self.channel()
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_0, method: .GET, uri: "/hello", headers: ["Connection": "keep-alive"])))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        let answer = try #require(try self.response(from: channel))
        #expect(answer.status == "HTTP/1.0 200 OK")
        #expect(answer.headers["Connection"] == "keep-alive")
    }

    @Test func aLargeBodyFollowsItsHeadWhole() throws {
        let (channel, _) = try self.channel()
        try self.send("/large", to: channel)
        let answer = try #require(try self.response(from: channel))
        #expect(answer.headers["Content-Length"] == "10000")
        #expect(answer.body == String(repeating: "x", count: 10_000))
    }

    @Test func anIdThatCouldSplitHeadersIsReplaced() throws {
        let (channel, _) = try self.channel()
        try self.send("/hello", to: channel, headers: ["X-Request-Id": "a\r\nSet-Cookie: evil=1"])
        let answer = try #require(try self.response(from: channel))
        #expect(answer.headers["Set-Cookie"] == nil)
        let fresh = try #require(answer.headers["X-Request-Id"])
        // Hummingbird's ids are hex without leading zeros: usually 32 digits, sometimes fewer.
        #expect(!fresh.isEmpty && fresh.count <= 32 && fresh.allSatisfy(\.isHexDigit), "a fresh id instead: \(fresh)")
    }

    @Test func withoutAResponseEncoderEverythingGoesToTheRouter() throws {
        let passedOn = PassedOn()
        var routes = FastRoutes()
        routes.get("/hello") { _ in .text("hello") }
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([FastPathHandler(routes: routes, logger: .init(label: "test")), passedOn])
        try self.send("/hello", to: channel)
        #expect(passedOn.uris == ["/hello"])
    }

    @Test func passesOnWhatItCannotAnswer() throws {
        let (channel, passedOn) = try self.channel()
        try self.send("/users/2", to: channel)
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/hello")))
        #expect(passedOn.uris == ["/users/2", "/hello"], "a nil answer and a POST go to the router")
        #expect(try self.written(to: channel).isEmpty)
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
        #expect(try self.written(to: channel).components(separatedBy: "HTTP/1.1 200 OK").count == 3, "the router's two answers")
        try self.send("/users/1", to: channel)
        #expect(try self.response(from: channel)?.body == #"{"id":1}"#, "with nothing pending, the fast path answers again")
        #expect(passedOn.uris.count == 2)
    }

    @Test func aParameterRouteTakesOneWholeSegmentAfterItsPrefix() throws {
        var routes = FastRoutes()
        routes.get("/users/:id") { request in .text("id " + (request.parameter.map(String.init) ?? "none")) }
        let passedOn = PassedOn()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([HTTPResponseEncoder(), FastPathHandler(routes: routes, logger: .init(label: "test")), passedOn])
        try self.send("/users/42?full=1", to: channel)
        #expect(try self.response(from: channel)?.body == "id 42")
        try self.send("/users/é", to: channel)
        #expect(try self.response(from: channel)?.body == "id é", "the parameter is cut after the prefix's bytes")
        for uri in ["/users/", "/users/42/friends", "/usersX/42", "/user/42"] {
            try self.send(uri, to: channel)
        }
        #expect(passedOn.uris == ["/users/", "/users/42/friends", "/usersX/42", "/user/42"], "no segment, two segments, another prefix")
    }

    @Test func refusalsRunOnlyWhileArmedAndUnderTheirPrefixes() throws {
        final class Armed: @unchecked Sendable { var value = false }
        let armed = Armed()
        var routes = FastRoutes()
        routes.refuse(under: ["/users", "/me"], while: { armed.value }) { _ in
            FastRoutes.Response(status: .tooManyRequests, contentType: "text/plain", body: ByteBuffer(string: "refused"))
        }
        routes.get("/users/:id") { _ in .text("user") }
        let passedOn = PassedOn()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([HTTPResponseEncoder(), FastPathHandler(routes: routes, logger: .init(label: "test")), passedOn])
        try self.send("/users/1", to: channel)
        #expect(try self.response(from: channel)?.body == "user", "not armed: the route answers")
        armed.value = true
        try self.send("/users/1", to: channel)
        #expect(try self.response(from: channel)?.status == "HTTP/1.1 429 Too Many Requests")
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/me")))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(try self.response(from: channel)?.body == "refused", "any method, under any of the prefixes")
        try self.send("/hello", to: channel)
        #expect(passedOn.uris == ["/hello"], "outside the prefixes, nothing is refused")
    }

    @Test func theDateMovesOnWithinOneConnection() throws {
        let (channel, _) = try self.channel()
        try self.send("/hello", to: channel)
        let first = try #require(try self.response(from: channel)?.headers["Date"])
        // The date is formatted once a second; each connection keeps its own copy.
        Thread.sleep(forTimeInterval: 2.1)
        try self.send("/hello", to: channel)
        let second = try #require(try self.response(from: channel)?.headers["Date"])
        #expect(first != second, "a kept copy that never moved on: \(first)")
    }

    @Test func answersNothingOnceDraining() throws {
        let (channel, passedOn) = try self.channel()
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        try self.send("/hello", to: channel)
        #expect(passedOn.uris == ["/hello"], "the close-on-drain handler must see every request")
    }
}
