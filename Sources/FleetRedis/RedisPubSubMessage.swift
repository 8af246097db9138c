import NIOCore

/// A message received on a subscription.
public struct RedisPubSubMessage: Sendable {
    /// The channel it was published to.
    public var channel: String
    /// The pattern that matched the channel, for pattern subscriptions.
    public var pattern: String?
    /// The published bytes.
    public var payload: ByteBuffer

    /// The payload as UTF-8 text.
    public var text: String { String(buffer: payload) }
}

/// Messages of one subscription, as an async sequence that does not end when
/// the connection drops: the client reconnects and subscribes again.
///
/// Iterate it from one task. Its share of the server subscription is released
/// by `cancel()` or by cancelling the iterating task; leaving a `for await`
/// loop with `break` does not release it, so prefer the scoped
/// `RedisClient.subscribe(to:_:)`, which cancels when its body returns.
/// Messages are buffered without bound until consumed.
public struct RedisSubscription: AsyncSequence, Sendable {
    public typealias Element = RedisPubSubMessage

    let stream: AsyncStream<RedisPubSubMessage>
    let continuation: AsyncStream<RedisPubSubMessage>.Continuation

    /// Ends the sequence and unsubscribes if no other subscriber shares its channels.
    public func cancel() {
        continuation.finish()
    }

    public func makeAsyncIterator() -> AsyncStream<RedisPubSubMessage>.AsyncIterator {
        stream.makeAsyncIterator()
    }
}

/// What a subscription listens to: channels, patterns or shard channels.
public enum RedisSubscriptionKind: Sendable, Hashable {
    /// `SUBSCRIBE channel`.
    case channel
    /// `PSUBSCRIBE pattern`.
    case pattern
    /// `SSUBSCRIBE shardchannel` (Redis 7).
    case shardChannel

    var subscribe: String {
        switch self {
        case .channel: return "SUBSCRIBE"
        case .pattern: return "PSUBSCRIBE"
        case .shardChannel: return "SSUBSCRIBE"
        }
    }

    var unsubscribe: String {
        switch self {
        case .channel: return "UNSUBSCRIBE"
        case .pattern: return "PUNSUBSCRIBE"
        case .shardChannel: return "SUNSUBSCRIBE"
        }
    }
}
