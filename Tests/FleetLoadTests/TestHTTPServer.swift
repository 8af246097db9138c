import NIOCore
import NIOPosix

/// A tiny HTTP/1.1 server on loopback that answers every request after `delay`,
/// and holds every answer due inside a stall window until the window ends.
final class TestHTTPServer: Sendable {
    let port: Int
    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup?

    /// - Parameters:
    ///   - delay: added to every response.
    ///   - stall: seconds after start, relative to the server's start, during which nothing is answered.
    ///   - group: loops to serve on (the caller shuts it down); default: a thread of its own.
    init(delay: Duration, stall: ClosedRange<Double>? = nil, body: String = "ok", group shared: MultiThreadedEventLoopGroup? = nil) async throws {
        let owned = shared == nil ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : nil
        let group = shared ?? owned!
        let started = NIODeadline.now()
        let response = "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\nContent-Type: text/plain\r\n\r\n\(body)"
        let delayNanos = Int64(delay.components.seconds) * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        DelayingHandler(response: response, delay: .nanoseconds(delayNanos), started: started, stall: stall)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.port = channel.localAddress!.port!
        self.channel = channel
        self.group = owned
    }

    var url: String { "http://127.0.0.1:\(port)/" }

    func shutdown() async throws {
        try await channel.close()
        try await group?.shutdownGracefully()
    }
}

private final class DelayingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let response: String
    private let delay: TimeAmount
    private let started: NIODeadline
    private let stall: ClosedRange<Double>?
    private var matched = 0
    private var lastDue = NIODeadline.uptimeNanoseconds(0)

    init(response: String, delay: TimeAmount, started: NIODeadline, stall: ClosedRange<Double>?) {
        self.response = response
        self.delay = delay
        self.started = started
        self.stall = stall
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        // Requests carry no body here; each ends at CRLFCRLF.
        let terminator: [UInt8] = [13, 10, 13, 10]
        for byte in buffer.readableBytesView {
            matched = byte == terminator[matched] ? matched + 1 : (byte == 13 ? 1 : 0)
            if matched == 4 {
                matched = 0
                respond(context: context)
            }
        }
    }

    private func respond(context: ChannelHandlerContext) {
        var due = NIODeadline.now() + delay
        if let stall {
            let stallStart = started + .nanoseconds(Int64(stall.lowerBound * 1e9))
            let stallEnd = started + .nanoseconds(Int64(stall.upperBound * 1e9))
            if due > stallStart, due < stallEnd { due = stallEnd }
        }
        due = max(due, lastDue)
        lastDue = due
        let bytes = context.channel.allocator.buffer(string: response)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(deadline: due) {
            loopBound.value.writeAndFlush(NIOAny(bytes), promise: nil)
        }
    }
}
