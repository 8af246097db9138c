import FleetHTTP
import FleetState
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite struct RateLimitMiddlewareTests {
    static let client = HTTPField.Name("X-Client")!
    static let user = HTTPField.Name("X-User")!

    func app(_ rules: [RateLimitRule<BasicRequestContext>], legacyHeaders: Bool = false) -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        // A clock that stands still: the numbers in the headers do not depend on how fast the test runs.
        let clock = RateLimitClock { 1_000_000 }
        let limiter = RateLimiter(backend: RateLimitMemoryBackend(clock: clock), clock: clock, logger: logger)
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: RateLimitMiddleware(limiter: limiter, rules: rules, legacyHeaders: legacyHeaders))
        router.get("/ok") { _, _ in "ok" }
        return Application(router: router, logger: logger)
    }

    static func byHeader(_ policy: RateLimitPolicy, _ name: HTTPField.Name = client) -> RateLimitRule<BasicRequestContext> {
        RateLimitRule(policy) { request, _ in request.headers[name] }
    }

    @Test func allowedResponsesCarryThePolicyAndWhatIsLeft() async throws {
        let policy = RateLimitPolicy(limit: 100, window: .seconds(60))
        try await self.app([Self.byHeader(policy)]).test(.router) { client in
            let response = try await client.execute(uri: "/ok", method: .get, headers: [Self.client: "a"])
            #expect(response.status == .ok)
            #expect(response.headers[.rateLimitPolicy] == #""default";q=100;w=60"#)
            #expect(response.headers[.rateLimit] == #""default";r=99;t=60"#)
            #expect(response.headers[.retryAfter] == nil)
            #expect(response.headers[.xRateLimitLimit] == nil, "legacy headers only when asked for")
        }
    }

    @Test func pastTheLimitIsA429ProblemWithRetryAfter() async throws {
        let policy = RateLimitPolicy(name: "api", limit: 2, window: .seconds(30))
        try await self.app([Self.byHeader(policy)], legacyHeaders: true).test(.router) { client in
            for _ in 0..<2 { _ = try await client.execute(uri: "/ok", method: .get, headers: [Self.client: "a"]) }
            let response = try await client.execute(uri: "/ok", method: .get, headers: [Self.client: "a"])
            #expect(response.status == .tooManyRequests)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(response.headers[.retryAfter] == "30")
            #expect(response.headers[.rateLimit] == #""api";r=0;t=30"#)
            #expect(response.headers[.xRateLimitLimit] == "2")
            #expect(response.headers[.xRateLimitRemaining] == "0")
            #expect(response.headers[.xRateLimitReset] == "30")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any])
            #expect(body["type"] as? String == "urn:fleet:problem:rate-limited")
            #expect(body["status"] as? Int == 429)
            let other = try await client.execute(uri: "/ok", method: .get, headers: [Self.client: "b"])
            #expect(other.status == .ok, "another key has its own quota")
        }
    }

    @Test func aRuleWithoutAKeyLeavesTheRequestOut() async throws {
        let perClient = RateLimitPolicy(name: "client", limit: 5, window: .seconds(60))
        let perUser = RateLimitPolicy(name: "user", limit: 1, window: .seconds(60))
        try await self.app([Self.byHeader(perClient), Self.byHeader(perUser, Self.user)]).test(.router) { client in
            let anonymous = try await client.execute(uri: "/ok", method: .get, headers: [Self.user: "ada"])
            #expect(anonymous.headers[.rateLimit] == #""user";r=0;t=60"#, "only the user rule applied")
            let refused = try await client.execute(uri: "/ok", method: .get, headers: [Self.client: "a", Self.user: "ada"])
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.rateLimit] == #""user";r=0;t=60"#, "the rule that refused, mapped past the skipped one")
            #expect(refused.headers[.rateLimitPolicy] == #""client";q=5;w=60, "user";q=1;w=60"#)
            let next = try await client.execute(uri: "/ok", method: .get, headers: [Self.client: "a"])
            #expect(next.headers[.rateLimit] == #""client";r=4;t=60"#, "the refused request took nothing from the client rule")
            let unkeyed = try await client.execute(uri: "/ok", method: .get)
            #expect(unkeyed.status == .ok)
            #expect(unkeyed.headers[.rateLimit] == nil)
        }
    }
}
