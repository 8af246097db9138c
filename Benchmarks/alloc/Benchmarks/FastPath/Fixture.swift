import FleetHTTP
import FleetState
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// The routes measured, as the demo wires them: `GET /hello` (a constant) and
/// `GET /users/:id` (a constant JSON body, as a cache hit serves), on the fast
/// path with or without the embedded rate limit, and on Hummingbird's router.
enum Fixture {
    static let logger = Logger(label: "alloc-benchmark") { _ in DiscardingLogHandler() }
    static let user = ByteBuffer(string: #"{"id":42,"name":"user42","email":"user42@example.com"}"#)

    static func request(_ path: String) -> ByteBuffer {
        ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: alloc-benchmark\r\nAccept: */*\r\n\r\n")
    }

    /// `/hello` and, with `users`, `/users/:id` on the fast path; with `limit`,
    /// `/users/:id` takes a point from the client's quota first, as the demo's cache hits do.
    static func fastRoutes(users: Bool = true, limit: FastRateLimit? = nil) -> FastRoutes {
        var routes = FastRoutes()
        let hello = FastRoutes.Response.text("hello")
        routes.get("/hello") { _ in hello }
        guard users else { return routes }
        let user = FastRoutes.Response.json(Self.user)
        if let limit { routes.refuseBlockedClients(under: ["/users"], limit: limit) }
        routes.get("/users/:id") { request in
            guard !request.hasCookies, let digits = request.parameter, Int64(digits) != nil else { return nil }
            guard let limit else { return user }
            switch limit.acquire(request) {
            case nil: return nil
            case .refuse(let refusal): return refusal
            case .allow(let fields):
                var answer = user
                answer.rateLimit = fields
                return answer
            }
        }
        return routes
    }

    /// A client-address limit that is never reached, on the embedded backend in a new temporary directory.
    static func embeddedLimit() throws -> FastRateLimit {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alloc-benchmark-\(UUID().uuidString)").path
        let backend = try RateLimitEmbeddedBackend(directory: directory)
        let limiter = RateLimiter(backend: backend, configuration: RateLimiterConfiguration(), logger: Self.logger)
        let policy = RateLimitPolicy(limit: 1 << 40, window: .seconds(60))
        return FastRateLimit(limiter: limiter, policy: policy, trustedProxies: TrustedProxies(), legacyHeaders: false)
    }

    /// Hummingbird's side: the same routes on a router behind the request-log
    /// middleware, answered as `InheritedSocketServer` answers them.
    static func responder() -> HTTPChannelHandler.Responder {
        let router = Router()
        router.add(middleware: RequestLogMiddleware())
        router.get("/hello") { _, _ in "hello" }
        router.get("/users/:id") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: Self.user))
        }
        let responder = router.buildResponder()
        let logger = Self.logger
        return { request, writer, channel in
            var requestLogger = logger
            requestLogger[metadataKey: "hb.request.id"] = .stringConvertible(RequestID())
            let context = BasicRequestContext(source: .init(channel: channel, logger: requestLogger))
            var response = try await responder.respond(to: request, context: context)
            response.headers[.date] = "Tue, 24 Nov 2026 01:00:00 GMT"
            try await writer.write(response: response.head, body: response.body)
        }
    }
}
