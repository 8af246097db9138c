import FleetRedis
import Logging
import Synchronization

/// Broadcasts through Redis pub/sub, so every instance on every machine that
/// shares the server receives them (as socket.io's Redis adapter does).
///
/// Uses sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`) when the server has it
/// (Redis 7), so a cluster routes the channel to one shard instead of every
/// node; plain `PUBLISH`/`SUBSCRIBE` otherwise. At most once: what is
/// published while the subscriber connection is down is lost.
public final class RedisBroadcastBackend: BroadcastBackend {
    /// The channel the instances share.
    public let channel: String
    let redis: RedisClient
    let logger: Logger
    private let sharded = Mutex<Bool?>(nil)

    /// - Parameters:
    ///   - redis: a running client.
    ///   - channel: the channel every instance of the service uses. Default `fleet:broadcast`.
    ///   - logger: where subscription failures are reported.
    public init(redis: RedisClient, channel: String = "fleet:broadcast", logger: Logger) {
        self.redis = redis
        self.channel = channel
        self.logger = logger
    }

    /// Whether this server takes sharded pub/sub; asked once, then remembered.
    public func usesShardedPubSub() async throws -> Bool {
        if let known = self.sharded.withLock({ $0 }) { return known }
        let reply = try await self.redis.execute(RedisCommand("COMMAND", "INFO", "SPUBLISH"))
        let supported = reply.array?.first.map { !$0.isNull } ?? false
        self.sharded.withLock { $0 = supported }
        return supported
    }

    public func publish(_ payload: String) async throws {
        if try await self.usesShardedPubSub() {
            try await self.redis.spublish(payload, to: self.channel)
        } else {
            try await self.redis.publish(payload, to: self.channel)
        }
    }

    public func run(deliver: @escaping @Sendable (String) -> Void, onGap: @escaping @Sendable () -> Void) async throws {
        while !Task.isCancelled {
            do {
                let subscription: RedisSubscription
                if try await self.usesShardedPubSub() {
                    subscription = try await self.redis.ssubscribe(to: [self.channel], onResubscribe: onGap)
                } else {
                    subscription = try await self.redis.subscribe(to: [self.channel], onResubscribe: onGap)
                }
                defer { subscription.cancel() }
                for await message in subscription {
                    deliver(message.text)
                }
            } catch {
                if Task.isCancelled { break }
                self.logger.warning("broadcast cannot subscribe", metadata: ["broadcast.error": "\(error)"])
                onGap()
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
