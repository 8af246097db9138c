import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Ends keep-alive connections on shutdown without the HTTP/1.1 close race.
///
/// Closing a keep-alive connection from the server races a client that is
/// sending its next request on it: the request is lost and the client sees a
/// reset. So when the server drains, each connection answers its next (or
/// current) request with `Connection: close` and lets the client close; the
/// server closes only a connection that stays idle for `idleGrace`, or whose
/// client ignores the header for `closeGrace`. Sits after the HTTP codec and
/// before Hummingbird's connection state handler, which closes the connection
/// once it is passed the quiesce event.
final class GracefulCloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let idleGrace: TimeAmount
    let closeGrace: TimeAmount
    private var draining = false
    private var requestsInProgress = 0
    /// The response being written told the client to close.
    private var closeAnnounced = false
    private var scheduledClose: Scheduled<Void>?

    init(idleGrace: TimeAmount = .seconds(1), closeGrace: TimeAmount = .seconds(5)) {
        self.idleGrace = idleGrace
        self.closeGrace = closeGrace
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = self.unwrapInboundIn(data) {
            self.requestsInProgress += 1
            self.cancelScheduledClose()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(var head) where self.draining:
            head.headerFields[.connection] = "close"
            self.closeAnnounced = true
            context.write(self.wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            self.requestsInProgress -= 1
            context.write(data, promise: promise)
            guard self.draining, self.requestsInProgress == 0 else { return }
            // Told to close: the client closes. Not told (the head left before the drain began): wait for its next request.
            self.scheduleClose(context, after: self.closeAnnounced ? self.closeGrace : self.idleGrace)
            self.closeAnnounced = false
        default:
            context.write(data, promise: promise)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        self.draining = true
        if self.requestsInProgress == 0 {
            self.scheduleClose(context, after: self.idleGrace)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.cancelScheduledClose()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.cancelScheduledClose()
    }

    /// After `delay`, hands the quiesce event on, so Hummingbird closes the connection.
    private func scheduleClose(_ context: ChannelHandlerContext, after delay: TimeAmount) {
        self.cancelScheduledClose()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.scheduledClose = context.eventLoop.scheduleTask(in: delay) {
            loopBound.value.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    private func cancelScheduledClose() {
        self.scheduledClose?.cancel()
        self.scheduledClose = nil
    }
}

extension HTTP1Channel.Configuration {
    /// Hummingbird's HTTP/1.1 configuration with Fleet's race-free close on drain.
    public static var fleet: HTTP1Channel.Configuration {
        HTTP1Channel.Configuration(additionalChannelHandlers: [GracefulCloseHandler()])
    }
}
