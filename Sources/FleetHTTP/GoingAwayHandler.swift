import NIOCore

/// Tells a WebSocket connection that the server is draining, so it can close
/// with 1001 (going away) and its client reconnect to another worker.
///
/// Sits first in the pipeline, so it sees the quiesce event whether or not
/// the connection was upgraded (after an upgrade no HTTP handler is left to).
/// On an upgradable connection the HTTP handlers arrive with the first
/// request; a drain that starts before it is handed to them once they are
/// there, and a connection that stays silent for `idleGrace` is closed.
final class GoingAwayHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    let idleGrace: TimeAmount
    private var quiescing = false
    private var onQuiesce: (() -> Void)?
    private var readAny = false
    private var idleClose: Scheduled<Void>?

    init(idleGrace: TimeAmount = .seconds(1)) {
        self.idleGrace = idleGrace
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
        guard !self.readAny else { return }
        self.readAny = true
        if let idleClose = self.idleClose {
            // The drain began before the HTTP handlers existed; they exist now.
            idleClose.cancel()
            self.idleClose = nil
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !self.quiescing {
            self.quiescing = true
            self.onQuiesce?()
            self.onQuiesce = nil
            if !self.readAny {
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                self.idleClose = context.eventLoop.scheduleTask(in: self.idleGrace) { loopBound.value.close(promise: nil) }
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.idleClose?.cancel()
    }

    /// Runs `body` when the server starts draining, at once if it already has. Call on the event loop.
    func whenQuiescing(_ body: @escaping () -> Void) {
        if self.quiescing {
            body()
        } else {
            self.onQuiesce = body
        }
    }
}

extension Channel {
    /// Runs `body` once the server starts draining this connection (a graceful
    /// shutdown or a reload); never if the channel was not set up by Fleet.
    func whenQuiescing(_ body: @escaping @Sendable () -> Void) {
        self.eventLoop.execute {
            (try? self.pipeline.syncOperations.handler(type: GoingAwayHandler.self))?.whenQuiescing(body)
        }
    }
}
