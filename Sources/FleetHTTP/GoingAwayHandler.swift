import NIOCore

/// Tells a WebSocket connection that the server is draining, so it can close
/// with 1001 (going away) and its client reconnect to another worker.
///
/// Sits first in the pipeline, so it sees the quiesce event whether or not
/// the connection was upgraded (after an upgrade no HTTP handler is left to).
final class GoingAwayHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private var quiescing = false
    private var onQuiesce: (() -> Void)?

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, !self.quiescing {
            self.quiescing = true
            self.onQuiesce?()
            self.onQuiesce = nil
        }
        context.fireUserInboundEventTriggered(event)
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
