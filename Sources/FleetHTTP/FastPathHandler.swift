import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Answers what `FastRoutes` can answer right after NIO's HTTP decoder, and
/// passes every other request on to Hummingbird unchanged.
///
/// It passes everything on while a request it passed on is unanswered, so a
/// pipelining client never gets responses out of order. Once the server drains
/// it answers nothing itself: the close-on-drain handler downstream then sees
/// every request. A fast answer carries what the router's middleware would
/// add: `Date`, the request id and, at info level, the access line.
///
/// Answers are written already encoded, from the response encoder's place in
/// the pipeline, so they go straight to the socket in one buffer: building
/// `HTTPHeaders` for NIO's encoder cost more than the rest of a fast answer.
/// Without an `HTTPResponseEncoder` in the pipeline it answers nothing.
final class FastPathHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let routes: FastRoutes
    private let logger: Logger
    /// The response encoder's context: writes from it skip the encoder.
    private var encoded: ChannelHandlerContext?
    /// Requests passed on whose response has not ended.
    private var passedOn = 0
    /// The current request was answered here: its body and end are dropped.
    private var answered = false
    private var draining = false
    /// Steps aside for a request asking to upgrade: after a WebSocket upgrade
    /// NIO removes its HTTP handlers, and this one must go with them.
    private let upgradable: Bool
    /// What the routes keep of this connection between requests.
    private let connection = FastRoutes.Connection()
    /// The `Date` value, this connection's own copy.
    private var date = HTTPDateHeader.Copy()

    init(routes: FastRoutes, logger: Logger, upgradable: Bool = false) {
        self.routes = routes
        self.logger = logger
        self.upgradable = upgradable
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.encoded = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.encoded = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            if self.passedOn == 0, !self.draining, head.isKeepAlive, let encoded = self.encoded {
                let start = ContinuousClock.now
                // Searched as bytes: a search by characters costs several times more.
                let path = head.uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { head.uri[..<$0] } ?? head.uri[...]
                if let (response, metrics) = self.routes.answer(head, path: path, channel: context.channel, connection: self.connection) {
                    self.answered = true
                    if let tracer = self.routes.tracer, self.routes.traceSampler?.admits(traceparent: head.headers.first(name: "traceparent")) ?? true {
                        self.respondTraced(encoded, to: head, path: path, with: response, since: start, route: metrics.route, tracer: tracer)
                    } else {
                        self.respond(encoded, to: head, path: path, with: response, since: start)
                    }
                    metrics.record(status: response.status, nanoseconds: (ContinuousClock.now - start).nanoseconds)
                    return
                }
            }
            self.passedOn += 1
            context.fireChannelRead(data)
            if self.upgradable, head.headers.contains(name: "upgrade") {
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            }
        case .body:
            if !self.answered { context.fireChannelRead(data) }
        case .end:
            if self.answered {
                self.answered = false
            } else {
                context.fireChannelRead(data)
            }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = self.unwrapOutboundIn(data) { self.passedOn -= 1 }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent { self.draining = true }
        context.fireUserInboundEventTriggered(event)
    }

    func respond(
        _ encoded: ChannelHandlerContext, to request: HTTPRequestHead, path: Substring, with response: FastRoutes.Response, since start: ContinuousClock.Instant
    ) {
        let requestID = request.headers.first(name: "x-request-id").flatMap {
            RequestLogMiddleware<BasicRequestContext>.isAcceptable(requestID: $0) ? $0 : nil
        } ?? RequestID().description
        let bytes = response.encoded(version: request.version, requestID: requestID, date: self.date.value(of: .shared), allocator: encoded.channel.allocator)
        if let body = bytes.body {
            encoded.write(NIOAny(IOData.byteBuffer(bytes.head)), promise: nil)
            encoded.writeAndFlush(NIOAny(IOData.byteBuffer(body)), promise: nil)
        } else {
            encoded.writeAndFlush(NIOAny(IOData.byteBuffer(bytes.head)), promise: nil)
        }
        guard self.logger.logLevel <= .info else { return }
        self.logger.info(
            "request",
            metadata: [
                "hb.request.id": .string(requestID),
                "http.method": .string(request.method.rawValue),
                "url.path": .string(String(path)),
                "http.status": .stringConvertible(response.status.code),
                "duration_ms": .string((ContinuousClock.now - start).millisecondsText),
            ]
        )
    }
}
