import HTTPTypes
import NIOCore
import HummingbirdCore
import NIOHTTPTypes

/// Closes keep-alive connections on shutdown without the HTTP/1.1 close race.
///
/// Closing an idle keep-alive connection races a client that is sending its
/// next request on it: the request is lost and the client sees a reset. So
/// when the server drains, each connection answers its next (or current)
/// request with `Connection: close` and closes after it; only a connection
/// that stays idle for `idleGrace` is closed without one. Sits after the HTTP
/// codec and before Hummingbird's connection state handler, which closes the
/// connection once it is passed the quiesce event.
final class GracefulCloseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let idleGrace: TimeAmount
    private var draining = false
    private var requestsInProgress = 0
    private var idleClose: Scheduled<Void>?

    init(idleGrace: TimeAmount = .seconds(1)) {
        self.idleGrace = idleGrace
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = self.unwrapInboundIn(data) {
            self.requestsInProgress += 1
            self.idleClose?.cancel()
            self.idleClose = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(var head) where self.draining:
            head.headerFields[.connection] = "close"
            context.write(self.wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            self.requestsInProgress -= 1
            guard self.draining, self.requestsInProgress == 0 else {
                context.write(data, promise: promise)
                return
            }
            context.writeAndFlush(data, promise: promise)
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
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
        guard self.requestsInProgress == 0 else { return }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.idleClose = context.eventLoop.scheduleTask(in: self.idleGrace) {
            loopBound.value.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.idleClose?.cancel()
    }
}

extension HTTP1Channel.Configuration {
    /// Hummingbird's HTTP/1.1 configuration with Fleet's race-free close on drain.
    public static var fleet: HTTP1Channel.Configuration {
        HTTP1Channel.Configuration(additionalChannelHandlers: [GracefulCloseHandler()])
    }
}
