import NIOCore
import NIOWebSocket

/// One socket of a WebSocket load test: sends its shard's messages when it is a sender,
/// and counts and times every delivery that reaches it.
///
/// Lives on its shard's event loop; no locks, no hops.
final class WebSocketLoadConnection: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    enum State {
        case connecting
        case open
        /// The server closed the socket (close code, or `reset` without a close frame) during the run.
        case closed(reason: String)
        /// Closed by the test at its end.
        case finished
    }

    /// What marks a delivery in a text frame: `wsl-` then the send's intended time in monotonic nanoseconds.
    static let marker: [UInt8] = Array("wsl-".utf8)

    let room: Int
    /// The sender's place among all senders (its send phase), or nil for a receiver only.
    let senderOrdinal: Int?
    private let shard: WebSocketLoadShard
    private var context: ChannelHandlerContext?
    private(set) var state = State.connecting
    /// Deliveries this socket received.
    private(set) var received = 0
    private var fragments: ByteBuffer?

    init(shard: WebSocketLoadShard, room: Int, senderOrdinal: Int?) {
        self.shard = shard
        self.room = room
        self.senderOrdinal = senderOrdinal
    }

    var isOpen: Bool {
        if case .open = state { return true }
        return false
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        state = .open
    }

    /// Sends one message stamped with its intended send time; false when the socket is gone.
    func send(stamp: UInt64) -> Bool {
        guard let context, isOpen else { return false }
        var text = context.channel.allocator.buffer(capacity: 40)
        text.writeString(#"{"text":"wsl-\#(stamp)"}"#)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: text)), promise: nil)
        return true
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .continuation:
            guard frame.fin else {
                var part = frame.unmaskedData
                if fragments == nil { fragments = part } else { fragments!.writeBuffer(&part) }
                return
            }
            var whole = frame.unmaskedData
            if var first = fragments {
                first.writeBuffer(&whole)
                whole = first
                fragments = nil
            }
            if let stamp = Self.stamp(in: whole) {
                received += 1
                shard.delivered(stamp: stamp)
            } else {
                shard.otherFrame()
            }
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            let data = frame.unmaskedData
            serverClosed(reason: data.getInteger(at: data.readerIndex, as: UInt16.self).map { "close \($0)" } ?? "close")
            let reply = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: context.channel.allocator.buffer(capacity: 0))
            context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
            context.close(promise: nil)
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        serverClosed(reason: "reset")
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        serverClosed(reason: "error")
        context.close(promise: nil)
    }

    /// Closes the socket at the end of the test: a close frame (1000), flushed to the socket buffer, then the TCP close.
    func finish() -> EventLoopFuture<Void>? {
        guard let context, isOpen else { return nil }
        state = .finished
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: .normalClosure)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        return context.close()
    }

    private func serverClosed(reason: String) {
        guard isOpen else { return }
        state = .closed(reason: reason)
        shard.closedDuringRun(self, reason: reason)
    }

    /// The stamp after the first `wsl-` in `buffer`, or nil when there is none.
    static func stamp(in buffer: ByteBuffer) -> UInt64? {
        buffer.withUnsafeReadableBytes { bytes -> UInt64? in
            let marker = Self.marker
            guard bytes.count > marker.count else { return nil }
            var index = 0
            search: while index <= bytes.count - marker.count {
                for offset in marker.indices where bytes[index + offset] != marker[offset] {
                    index += 1
                    continue search
                }
                var value: UInt64 = 0
                var position = index + marker.count
                var digits = 0
                while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39, digits < 19 {
                    value = value * 10 + UInt64(bytes[position] - 0x30)
                    position += 1
                    digits += 1
                }
                return digits > 0 ? value : nil
            }
            return nil
        }
    }
}
