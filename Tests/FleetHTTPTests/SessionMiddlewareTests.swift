import FleetHTTP
import FleetState
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

@Suite struct SessionMiddlewareTests {
    struct Context: SessionRequestContext {
        var coreContext: CoreRequestContextStorage
        let session = RequestSession()

        init(source: ApplicationRequestContextSource) {
            self.coreContext = .init(source: source)
        }
    }

    /// Milliseconds since the epoch, moved by the test.
    final class ManualClock: Sendable {
        let millis = Atomic<Int64>(1_700_000_000_000)
        func advance(minutes: Int64) { millis.add(minutes * 60_000, ordering: .relaxed) }
    }

    let clock = ManualClock()
    let store = MemorySessionStore()

    func app(secure: Bool = false) throws -> some ApplicationProtocol {
        let clock = self.clock
        let sessions = SessionManager(
            store: self.store,
            signer: try SessionSigner(secrets: [String(repeating: "k", count: 32)]),
            configuration: SessionConfiguration(idleTimeout: .seconds(30 * 60), absoluteTimeout: .seconds(24 * 3600)),
            now: { clock.millis.load(ordering: .relaxed) }
        )
        let router = Router(context: Context.self)
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: SessionMiddleware(sessions: sessions, secure: secure))
        router.post("/login/:user") { _, context in
            try await context.session.login(userID: try context.parameters.require("user"))
            return "ok"
        }
        router.get("/whoami") { _, context in context.session.userID ?? "anonymous" }
        router.put("/fields/:name") { request, context in
            let value = String(buffer: try await request.body.collect(upTo: 1024))
            try await context.session.set(try context.parameters.require("name"), to: value)
            return "ok"
        }
        router.get("/fields/:name") { _, context in context.session[try context.parameters.require("name")] ?? "" }
        router.post("/logout") { _, context in
            try await context.session.logout()
            return "ok"
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Application(router: router, logger: logger)
    }

    /// The `name=value` part of the response's session cookie, and its attributes.
    func sessionCookie(_ response: TestResponse) throws -> (pair: String, attributes: Set<String>) {
        let header = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("fleet_session=") }, "no session cookie")
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        return (parts[0], Set(parts.dropFirst()))
    }

    func whoami(_ client: some TestClientProtocol, cookie: String?) async throws -> TestResponse {
        try await client.execute(uri: "/whoami", method: .get, headers: cookie.map { [.cookie: $0] } ?? [:])
    }

    @Test func loginSetsAHardenedCookieThatResumesTheSession() async throws {
        try await self.app().test(.router) { client in
            let login = try await client.execute(uri: "/login/ada", method: .post)
            let cookie = try self.sessionCookie(login)
            #expect(cookie.attributes.isSuperset(of: ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=86400"]))
            #expect(!cookie.attributes.contains("Secure"))
            #expect(String(buffer: try await self.whoami(client, cookie: cookie.pair).body) == "ada")
        }
    }

    @Test func theCookieIsSecureWhenConfigured() async throws {
        try await self.app(secure: true).test(.router) { client in
            let login = try await client.execute(uri: "/login/ada", method: .post)
            #expect(try self.sessionCookie(login).attributes.contains("Secure"))
        }
    }

    @Test func aTamperedCookieIsAnonymousAndCleared() async throws {
        try await self.app().test(.router) { client in
            let cookie = try self.sessionCookie(try await client.execute(uri: "/login/ada", method: .post)).pair
            let tampered = String(cookie.dropLast()) + (cookie.last == "A" ? "B" : "A")
            let unsigned = String(cookie.prefix { $0 != "." })
            for value in [tampered, unsigned, "fleet_session=garbage", "fleet_session="] {
                let response = try await self.whoami(client, cookie: value)
                #expect(response.status == .ok, "a bad cookie is never an error")
                #expect(String(buffer: response.body) == "anonymous")
            }
            let cleared = try self.sessionCookie(try await self.whoami(client, cookie: tampered))
            #expect(cleared.pair == "fleet_session=" && cleared.attributes.contains("Max-Age=0"))
        }
    }

    @Test func anExpiredSessionIsAnonymous() async throws {
        try await self.app().test(.router) { client in
            let cookie = try self.sessionCookie(try await client.execute(uri: "/login/ada", method: .post)).pair
            self.clock.advance(minutes: 31)
            #expect(String(buffer: try await self.whoami(client, cookie: cookie).body) == "anonymous")
        }
    }

    @Test func loginRegeneratesTheIDAndKeepsTheFields() async throws {
        try await self.app().test(.router) { client in
            let anonymous = try await client.execute(uri: "/fields/cart", method: .put, body: ByteBuffer(string: "2 books"))
            let planted = try self.sessionCookie(anonymous).pair
            let login = try await client.execute(uri: "/login/ada", method: .post, headers: [.cookie: planted])
            let fresh = try self.sessionCookie(login).pair
            #expect(fresh != planted)
            let plantedCart = try await client.execute(uri: "/fields/cart", method: .get, headers: [.cookie: planted])
            #expect(String(buffer: plantedCart.body) == "", "the planted id is dead")
            let cart = try await client.execute(uri: "/fields/cart", method: .get, headers: [.cookie: fresh])
            #expect(String(buffer: cart.body) == "2 books")
        }
    }

    @Test func logoutEndsTheSessionAndClearsTheCookie() async throws {
        try await self.app().test(.router) { client in
            let cookie = try self.sessionCookie(try await client.execute(uri: "/login/ada", method: .post)).pair
            let logout = try await client.execute(uri: "/logout", method: .post, headers: [.cookie: cookie])
            #expect(try self.sessionCookie(logout).attributes.contains("Max-Age=0"))
            #expect(String(buffer: try await self.whoami(client, cookie: cookie).body) == "anonymous")
        }
    }
}
