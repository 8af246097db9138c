import FleetHTTP
import FleetState
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

/// Fleet's HTTP/1.1 server over a real socket: fast routes answer, the router answers the rest.
@Suite struct FleetHTTP1ChannelTests {
    @Test func fastRoutesAnswerAndTheRouterServesTheRest() async throws {
        let router = Router()
        router.get("/hello") { _, _ in "from the router" }
        router.post("/hello") { _, _ in "posted" }
        router.get("/users/:id") { _, context in "router user \(try context.parameters.require("id"))" }
        var fast = FastRoutes()
        fast.get("/hello") { _ in .text("fast") }
        fast.get("/users/:id") { request in request.parameter == "1" ? .json(ByteBuffer(string: #"{"id":1}"#)) : nil }
        let app = Application(router: router, server: .fleet(fastRoutes: fast, logger: Logger(label: "test")))
        try await app.test(.live) { client in
            for _ in 0..<3 {
                try await client.execute(uri: "/hello", method: .get) { response in
                    #expect(String(buffer: response.body) == "fast")
                    #expect(response.headers[.requestID] != nil)
                }
            }
            try await client.execute(uri: "/hello", method: .post) { #expect(String(buffer: $0.body) == "posted") }
            try await client.execute(uri: "/users/1", method: .get) { response in
                #expect(String(buffer: response.body) == #"{"id":1}"#)
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            }
            try await client.execute(uri: "/users/2", method: .get) { #expect(String(buffer: $0.body) == "router user 2") }
            try await client.execute(uri: "/hello", method: .get) { #expect(String(buffer: $0.body) == "fast", "after a routed request, fast again") }
        }
    }
}

/// Counts the backend's checks: a fast refusal must not reach it.
final class CountingBackend: RateLimitBackend {
    let base = RateLimitMemoryBackend()
    let calls = Atomic<Int>(0)

    func acquire(_ checks: [RateLimitCheck]) async throws -> RateLimitDecision {
        self.calls.add(1, ordering: .relaxed)
        return try await self.base.acquire(checks)
    }
}

@Suite struct FastRefusalTests {
    @Test func aBlockedClientIsRefusedWithoutTheBackend() async throws {
        let backend = CountingBackend()
        let limiter = RateLimiter(backend: backend, logger: Logger(label: "test"))
        let policy = RateLimitPolicy(name: "api", limit: 3, window: .seconds(60))
        let routed = RoutedCounter()
        let router = Router(context: PeerContext.self)
        router.add(middleware: routed)
        router.add(middleware: RateLimitMiddleware(limiter: limiter, rules: [.clientAddress(policy)]))
        router.get("/users/:id") { _, _ in "user" }
        var fast = FastRoutes()
        fast.refuseBlockedClients(under: ["/users"], limit: FastRateLimit(limiter: limiter, policy: policy, trustedProxies: .init(), legacyHeaders: false))
        let app = Application(router: router, server: .fleet(fastRoutes: fast, logger: Logger(label: "test")))
        try await app.test(.live) { client in
            var statuses: [Int] = []
            for _ in 0..<8 {
                try await client.execute(uri: "/users/1", method: .get) { response in
                    statuses.append(Int(response.status.code))
                    if response.status == .tooManyRequests {
                        #expect(response.headers[.retryAfter] != nil)
                        #expect(response.headers[.rateLimitPolicy] == #""api";q=3;w=60"#)
                    }
                }
            }
            #expect(statuses == [200, 200, 200, 429, 429, 429, 429, 429])
            #expect(backend.calls.load(ordering: .relaxed) == 4, "three allowed and the first refusal reach the backend")
            #expect(routed.count.load(ordering: .relaxed) == 4, "the later refusals never reach the router")
        }
    }
}

/// Counts the requests that reach the router.
final class RoutedCounter: RouterMiddleware {
    typealias Context = PeerContext
    let count = Atomic<Int>(0)

    func handle(_ request: Request, context: PeerContext, next: (Request, PeerContext) async throws -> Response) async throws -> Response {
        self.count.add(1, ordering: .relaxed)
        return try await next(request, context)
    }
}

/// A context with the peer address, as the demo's has.
struct PeerContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
