import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// Opens one WebSocket: TCP connect, the HTTP/1.1 upgrade request, then the frame
/// handlers with `connection` on top. Reports the outcome to its shard once.
enum WebSocketHandshake {
    /// Connects `connection` on `eventLoop`; `settled` is called on the loop exactly once,
    /// with nil when the socket is open or the kind of failure.
    static func open(
        _ connection: WebSocketLoadConnection,
        to address: SocketAddress,
        path: String,
        host: String,
        on eventLoop: any EventLoop,
        timeout: TimeAmount,
        settled: @escaping (String?) -> Void
    ) {
        let report = NIOLoopBound(Outcome(settled), eventLoop: eventLoop)
        let timer = eventLoop.scheduleTask(in: timeout) { report.value.settle("timeout") }
        let handler = NIOLoopBound(connection, eventLoop: eventLoop)
        let request = NIOLoopBound(UpgradeRequest(path: path, host: host, failed: { report.value.settle($0) }), eventLoop: eventLoop)
        let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: 1 << 20) { channel, _ in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(handler.value)
                timer.cancel()
                report.value.settle(nil)
            }
        }
        ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(
                        leftOverBytesStrategy: .forwardBytes,
                        withClientUpgrade: (
                            upgraders: [upgrader],
                            // Before the frame handlers go in, so the bytes after the 101 reach them, not the request's handler.
                            completionHandler: { context in context.pipeline.syncOperations.removeHandler(request.value, promise: nil) }
                        )
                    )
                    try channel.pipeline.syncOperations.addHandler(request.value)
                }
            }
            .connect(to: address)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    // A socket that opens past the deadline is closed: the run already counted it as a timeout.
                    if report.value.isSettled, !handler.value.isOpen { channel.close(promise: nil) }
                case .failure:
                    timer.cancel()
                    report.value.settle("connect")
                }
            }
    }

    /// Calls its closure once, whatever settles first.
    final class Outcome {
        private var callback: ((String?) -> Void)?
        init(_ callback: @escaping (String?) -> Void) { self.callback = callback }
        var isSettled: Bool { callback == nil }
        func settle(_ failure: String?) {
            guard let callback else { return }
            self.callback = nil
            callback(failure)
        }
    }
}

/// Writes the upgrade request once the socket connects; a response that is not a
/// switch of protocols, or a close before one, fails the handshake.
final class UpgradeRequest: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let path: String
    private let host: String
    private let failed: (String) -> Void

    init(path: String, host: String, failed: @escaping (String) -> Void) {
        self.path = path
        self.host = host
        self.failed = failed
    }

    func channelActive(context: ChannelHandlerContext) {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: host)
        head.headers.add(name: "Content-Length", value: "0")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let response) = unwrapInboundIn(data) {
            failed("status \(response.status.code)")
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failed("closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failed("upgrade")
        context.close(promise: nil)
    }
}
