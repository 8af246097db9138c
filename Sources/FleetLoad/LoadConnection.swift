import NIOCore

/// One keep-alive HTTP/1.1 connection of a shard: writes a request, parses the response, hands it back.
///
/// Lives on its shard's event loop; no locks, no hops.
final class LoadConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// The request on the wire.
    struct InFlight {
        var intended: UInt64
        var sent: UInt64
        var name: Int
        var stage: Int
    }

    private let shard: LoadShard
    private var context: ChannelHandlerContext?
    private var parser: ResponseParser
    private var cumulation: ByteBuffer?
    private(set) var inFlight: InFlight?
    private var closed = false

    init(shard: LoadShard, collectBody: Bool) {
        self.shard = shard
        self.parser = ResponseParser()
        self.parser.collectBody = collectBody
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        shard.connectionReady(self)
    }

    /// Writes `request` and remembers when it was meant to go and when it went.
    func send(_ request: ByteBuffer, inFlight: InFlight, bodyless: Bool) {
        guard let context, !closed else { return }
        parser.bodyless = bodyless
        self.inFlight = inFlight
        context.writeAndFlush(NIOAny(request), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if cumulation == nil {
            cumulation = incoming
        } else {
            cumulation!.writeBuffer(&incoming)
        }
        do {
            while let response = try parser.parse(&cumulation!) {
                complete(response)
                if response.close {
                    close()
                    break
                }
            }
        } catch {
            fail(kind: "protocol")
            close()
            return
        }
        if cumulation?.readableBytes == 0 { cumulation = nil }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        if let response = parser.parseEOF() {
            complete(response)
        } else if inFlight != nil {
            fail(kind: "reset")
        }
        shard.connectionClosed(self)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close()
    }

    /// Fails the request in flight (timeout, reset) and closes.
    func fail(kind: String) {
        guard let request = inFlight else { return }
        inFlight = nil
        shard.failed(self, request: request, kind: kind)
    }

    func close() {
        guard !closed else { return }
        closed = true
        context?.close(promise: nil)
    }

    private func complete(_ response: ResponseParser.Response) {
        guard let request = inFlight else { return }
        inFlight = nil
        shard.completed(self, request: request, response: response)
    }
}
