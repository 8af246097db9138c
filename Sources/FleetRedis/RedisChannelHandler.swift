import Logging
import NIOCore

/// Writes queued commands, parses replies and hands each to the oldest
/// waiting command; push frames go to the push handler instead.
final class RedisChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let queue: RedisSubmissionQueue
    private var parser: RESPParser
    private var inflight = CircularBuffer<RedisSubmissionQueue.Pending>(initialCapacity: 64)
    private var received: ByteBuffer?
    private var context: ChannelHandlerContext?
    private var timeoutCheck: Scheduled<Void>?
    private var closeWhenIdle = false
    private let logger: Logger

    /// Receives push frames (RESP3) and, in RESP2 subscribe mode, pub/sub arrays.
    var pushHandler: (@Sendable (RESPValue) -> Void)?
    /// RESP2 has no push type: once subscribed, pub/sub messages arrive as arrays.
    var resp2SubscribeMode = false

    init(queue: RedisSubmissionQueue, parser: RESPParserConfiguration, logger: Logger) {
        self.queue = queue
        self.parser = RESPParser(configuration: parser)
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(RedisError(.connectionClosed, "handler removed"))
        self.context = nil
    }

    /// Writes and flushes everything submitted since the last drain.
    func drain() {
        guard let context else { return }
        let previousCount = inflight.count
        let bytes = queue.drain(into: &inflight)
        if bytes.readableBytes > 0 {
            context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
        }
        // Invariant: the timer is armed whenever a command in flight has a deadline,
        // so only the commands just added can need it armed.
        if timeoutCheck == nil {
            armTimeoutCheck(at: inflight[inflight.index(inflight.startIndex, offsetBy: previousCount)...].lazy.map(\.deadline).min())
        }
    }

    /// Closes the channel once every command in flight has its reply.
    func closeGracefully() {
        guard let context else { return }
        if inflight.isEmpty {
            context.close(promise: nil)
        } else {
            closeWhenIdle = true
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if var pending = received, pending.readableBytes > 0 {
            pending.writeBuffer(&incoming)
            received = nil
            incoming = pending
        }
        do {
            while let value = try parser.next(&incoming) {
                route(value, context: context)
            }
        } catch {
            logger.error("redis protocol error", metadata: ["redis.error": "\(error)"])
            fail(error, context: context)
            return
        }
        received = incoming.readableBytes > 0 ? incoming : nil
        if closeWhenIdle && inflight.isEmpty {
            context.close(promise: nil)
        }
    }

    private func route(_ value: RESPValue, context: ChannelHandlerContext) {
        let value = value.withoutAttributes
        switch value {
        case .push:
            pushHandler?(value)
            return
        case .array(let elements) where resp2SubscribeMode && Self.isPubSubKind(elements.first):
            pushHandler?(value)
            return
        default:
            break
        }
        guard let head = inflight.first else {
            if pushHandler != nil {
                logger.debug("redis reply without a command", metadata: ["redis.reply": "\(value)"])
            } else {
                fail(RESPParser.error("reply without a command"), context: context)
            }
            return
        }
        if head.sink.deliver(value) {
            inflight.removeFirst()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError(.connectionClosed, "connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let redisError = error as? RedisError ?? RedisError(.connectionClosed, "connection error", underlying: error)
        fail(redisError, context: context)
    }

    private func fail(_ error: RedisError, context: ChannelHandlerContext) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        timeoutCheck?.cancel()
        timeoutCheck = nil
        let queued = queue.close(error)
        while let pending = inflight.popFirst() {
            pending.sink.fail(error)
        }
        for pending in queued {
            pending.sink.fail(error)
        }
    }

    /// One timer per connection, armed for the earliest deadline in flight. Replies
    /// arriving do not cancel it: when it fires it re-arms for the new earliest.
    private func armTimeoutCheck(at deadline: NIODeadline?) {
        guard let context, let deadline, deadline != .distantFuture else { return }
        timeoutCheck = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(deadline: deadline) {
            self.timeoutCheck = nil
            self.checkTimeouts()
        }
    }

    private func checkTimeouts() {
        guard let context else { return }
        let now = context.eventLoop.now
        guard let expired = inflight.firstIndex(where: { $0.deadline <= now }) else {
            armTimeoutCheck(at: inflight.lazy.map(\.deadline).min())
            return
        }
        // A reply that has not arrived holds up every command behind it, and
        // a late reply could not be matched safely: drop the connection.
        inflight.remove(at: expired).sink.fail(RedisError(.timeout, "no reply within the command timeout"))
        fail(RedisError(.connectionClosed, "closed after a command timed out"), context: context)
    }

    private static func isPubSubKind(_ value: RESPValue?) -> Bool {
        guard let kind = value?.buffer else { return false }
        switch String(buffer: kind) {
        case "message", "pmessage", "smessage", "subscribe", "psubscribe", "ssubscribe",
            "unsubscribe", "punsubscribe", "sunsubscribe":
            return true
        default:
            return false
        }
    }
}
