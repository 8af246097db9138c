import FleetState
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import FleetHTTP

/// The rate limit on the fast path, on one keep-alive connection: the key
/// worked out once per connection for a client that is the peer itself, and
/// per request for the clients a trusted proxy forwards on a shared connection.
@Suite struct FastRateLimitTests {
    static let policy = RateLimitPolicy(name: "api", limit: 2, window: .seconds(60))

    /// A connection from `peer` to a fast `/users/:id` limited to 2 per minute per client.
    func connection(from peer: String, trusting proxies: String = "") throws -> EmbeddedChannel {
        let limiter = RateLimiter(backend: RateLimitMemoryBackend(), logger: Logger(label: "test"))
        let limit = FastRateLimit(limiter: limiter, policy: Self.policy, trustedProxies: try #require(TrustedProxies(parsing: proxies)), legacyHeaders: false)
        var routes = FastRoutes()
        routes.get("/users/:id") { request in
            switch limit.acquire(request) {
            case nil: return nil
            case .refuse(let refusal): return refusal
            case .allow(let fields):
                var answer = FastRoutes.Response.json(ByteBuffer(string: #"{"id":1}"#))
                answer.rateLimit = fields
                return answer
            }
        }
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([HTTPResponseEncoder(), FastPathHandler(routes: routes, logger: Logger(label: "test"))])
        let address = try SocketAddress(ipAddress: peer, port: 40_000)
        try channel.connect(to: address).wait()
        channel.remoteAddress = address
        return channel
    }

    /// Sends `GET /users/1` with `headers` and returns the status line and the `RateLimit` field.
    func get(on channel: EmbeddedChannel, headers: HTTPHeaders = [:]) throws -> (status: String, rateLimit: String?) {
        try channel.writeInbound(HTTPServerRequestPart.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: "/users/1", headers: headers)))
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        var text = ""
        while let data = try channel.readOutbound(as: IOData.self) {
            if case .byteBuffer(let buffer) = data { text += String(buffer: buffer) }
        }
        let lines = text.components(separatedBy: "\r\n")
        let rateLimit = lines.first { $0.hasPrefix("RateLimit: ") }.map { String($0.dropFirst("RateLimit: ".count)) }
        return (lines.first ?? "", rateLimit)
    }

    @Test func aClientIsCountedOnEveryRequestOfItsConnectionWhateverItForwards() throws {
        let channel = try self.connection(from: "192.0.2.7")
        let answers = try (0..<3).map { try self.get(on: channel, headers: ["X-Forwarded-For": "198.51.100.\($0)"]) }
        #expect(answers.map(\.status) == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 429 Too Many Requests"])
        #expect(answers[0].rateLimit == #""api";r=1;t=60"#)
        #expect(answers[1].rateLimit == #""api";r=0;t=60"#)
        #expect(answers[2].rateLimit?.hasPrefix(#""api";r=0;t="#) == true, "the refusal carries the fields too")
    }

    @Test func aTrustedProxysConnectionCarriesEachClientUnderItsOwnKey() throws {
        let channel = try self.connection(from: "10.0.0.2", trusting: "10.0.0.0/8")
        let first = ["X-Forwarded-For": "198.51.100.1"] as HTTPHeaders
        let second = ["X-Forwarded-For": "198.51.100.2"] as HTTPHeaders
        let statuses = try [first, first, first, second, second, second].map { try self.get(on: channel, headers: $0).status }
        #expect(
            statuses == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 429 Too Many Requests", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 429 Too Many Requests"],
            "two clients behind one keep-alive connection of the proxy: two quotas"
        )
    }
}
