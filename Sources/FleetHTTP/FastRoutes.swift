import FleetState
import HTTPTypes
import NIOCore
import NIOHTTP1
import Tracing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GET routes answered on the event loop, without a task per request, when
/// their handler can answer at once: a constant, or a cache hit. A handler
/// returns nil to pass the request to the application's router as usual, so
/// a fast route is only ever a shortcut for a route the router also serves.
///
/// Measured on this project's machine (CPU time per request, `wrk -c50`):
/// Hummingbird's async path costs about 45 µs, NIO's own HTTP server about
/// 17 µs, Node's http module about 21 µs. The hot reads take the NIO path.
public struct FastRoutes: Sendable {
    /// What a handler sees of a request.
    public struct Request {
        /// The request head as NIO decoded it.
        public let head: HTTPRequestHead
        /// The path, without the query.
        public let path: Substring
        /// The value of the route's `:parameter`, when it has one.
        public let parameter: Substring?
        /// The connection, for its peer address.
        public let channel: any Channel
        /// What fast routes keep of the connection between its requests.
        public let connection: Connection

        /// True when the request sends cookies: a session middleware may have work to do.
        public var hasCookies: Bool { self.head.headers.contains(name: "cookie") }
    }

    /// What fast routes keep of one connection between its requests: what
    /// does not change while it is open, worked out on its first request.
    public final class Connection {
        /// The client's rate-limit checks under a limit.
        var rateLimitChecks: KeptChecks?

        init() {}
    }

    /// A client's rate-limit checks, kept on its connection. A struct, not a
    /// tuple: a tuple is copied through its generic value witnesses.
    struct KeptChecks {
        let limit: FastRateLimit
        let checks: [RateLimitCheck]
    }

    /// A route's answer: status, content type, extra headers and the body bytes.
    public struct Response: Sendable {
        public var status: HTTPResponseStatus
        public var contentType: String
        public var headers: [(String, String)]
        /// The rate-limit fields, when a limit was checked.
        public var rateLimit: RateLimitFields?
        public var body: ByteBuffer

        public init(status: HTTPResponseStatus = .ok, contentType: String, headers: [(String, String)] = [], body: ByteBuffer) {
            self.status = status
            self.contentType = contentType
            self.headers = headers
            self.body = body
        }

        /// A `text/plain; charset=utf-8` answer.
        public static func text(_ text: String) -> Response {
            Response(contentType: "text/plain; charset=utf-8", body: ByteBuffer(string: text))
        }

        /// An `application/json` answer from bytes already encoded.
        public static func json(_ body: ByteBuffer) -> Response {
            Response(contentType: "application/json; charset=utf-8", body: body)
        }
    }

    /// Answers a request, or returns nil to leave it to the router. It runs on
    /// the event loop: it must not block or wait.
    public typealias Handler = @Sendable (Request) -> Response?

    /// A handler with the metric series its answers count in. A class: a
    /// route is copied on every lookup, and then it is one retain.
    final class Route: Sendable {
        let handler: Handler
        let metrics: RouteMetrics

        init(handler: @escaping Handler, metrics: RouteMetrics) {
            self.handler = handler
            self.metrics = metrics
        }
    }

    /// Checks under path prefixes, looked at only while `armed` says they may refuse.
    struct Refusals: Sendable {
        let armed: @Sendable () -> Bool
        let checks: [(prefix: String, check: Route)]
    }

    /// Checks run first, for any method, on paths under a prefix.
    private var refusals: [Refusals] = []
    private var exact: [String: Route] = [:]
    /// Routes of the form `/prefix/:parameter`, by prefix (with its slash).
    private var parameterised: [(prefix: String, route: Route)] = []

    /// Traces every fast answer in a server span, as `TracingMiddleware` does a routed one; nil: no spans.
    public var tracer: (any Tracer)?
    /// Which fast answers get a span; nil for every one.
    public var traceSampler: TraceSampler?

    public init() {}

    /// Adds a GET route: a literal path (`/hello`) or one ending in a parameter (`/users/:id`).
    /// Its answers count in the series Hummingbird's `MetricsMiddleware` writes for the same route.
    public mutating func get(_ path: String, _ handler: @escaping Handler) {
        let route = Route(handler: handler, metrics: RouteMetrics(method: "GET", path: path, status: 200))
        if let colon = path.lastIndex(of: ":"), path[path.index(before: colon)] == "/" {
            precondition(!path[colon...].contains("/"), "a fast route has one parameter, at the end: \(path)")
            self.parameterised.append((String(path[..<colon]), route))
        } else {
            self.exact[path] = route
        }
    }

    /// Adds a check that runs before any route, whatever the method, on paths
    /// starting with one of `prefixes`, while `armed` is true; what it answers
    /// is sent at once. For refusals known without waiting: a client the rate
    /// limiter refused moments ago. `armed` runs on every request: a load or two.
    /// Its answers count under the route `<prefix>/*` and the method `_OTHER`: no route was matched.
    public mutating func refuse(under prefixes: [String], while armed: @escaping @Sendable () -> Bool, _ check: @escaping Handler) {
        let checks = prefixes.map { ($0, Route(handler: check, metrics: RouteMetrics(method: "_OTHER", path: $0 + "/*", status: 429))) }
        self.refusals.append(Refusals(armed: armed, checks: checks))
    }

    var isEmpty: Bool { self.exact.isEmpty && self.parameterised.isEmpty && self.refusals.isEmpty }

    /// The answer for `head`, whose URI without the query is `path`, if a fast route has one
    /// now, with the series it counts in.
    func answer(_ head: HTTPRequestHead, path: Substring, channel: any Channel, connection: Connection) -> (Response, RouteMetrics)? {
        for refusals in self.refusals where refusals.armed() {
            for refusal in refusals.checks where Self.path(path, startsWith: refusal.prefix) {
                if let answer = refusal.check.handler(Request(head: head, path: path, parameter: nil, channel: channel, connection: connection)) {
                    return (answer, refusal.check.metrics)
                }
            }
        }
        guard head.method == .GET else { return nil }
        if let route = self.exact[String(path)] {
            return route.handler(Request(head: head, path: path, parameter: nil, channel: channel, connection: connection)).map { ($0, route.metrics) }
        }
        for entry in self.parameterised where Self.path(path, startsWith: entry.prefix) {
            let parameter = Substring(path.utf8.dropFirst(entry.prefix.utf8.count))
            guard !parameter.isEmpty, !parameter.utf8.contains(UInt8(ascii: "/")) else { continue }
            return entry.route.handler(Request(head: head, path: path, parameter: parameter, channel: channel, connection: connection)).map { ($0, entry.route.metrics) }
        }
        return nil
    }

    /// Whether `path` starts with `prefix`, compared as bytes: `hasPrefix`
    /// compares characters, and `utf8.starts(with:)` byte by byte through
    /// indices; both cost more than the rest of a route lookup.
    static func path(_ path: Substring, startsWith prefix: String) -> Bool {
        let compared = path.utf8.withContiguousStorageIfAvailable { path in
            prefix.utf8.withContiguousStorageIfAvailable { prefix in
                path.count >= prefix.count && (prefix.isEmpty || memcmp(path.baseAddress!, prefix.baseAddress!, prefix.count) == 0)
            }
        }
        return (compared ?? nil) ?? path.utf8.starts(with: prefix.utf8)
    }
}
