import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A pooled Redis client: run it as a `Service`, then send commands from anywhere.
///
/// ```swift
/// let redis = try RedisClient(url: "redis://localhost:6379/0", logger: logger)
/// let group = ServiceGroup(services: [redis, app], logger: logger)
/// try await group.run()   // elsewhere: try await redis.set("k", to: "v")
/// ```
public final class RedisClient: Service, RedisCommandExecutor, Sendable {
    /// The configuration the client was created with.
    public let configuration: RedisClientConfiguration
    let pool: RedisConnectionPool
    let pubSub: RedisPubSub

    /// Creates a client; nothing connects until `run()`.
    /// - Parameters:
    ///   - configuration: server, pool and reconnection settings.
    ///   - eventLoopGroup: where connections live. Default the NIO singleton.
    ///   - logger: the logger for connection events.
    public init(
        configuration: RedisClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        pool = RedisConnectionPool(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
        pubSub = RedisPubSub(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
    }

    /// Creates a client from a `redis://`, `rediss://` or `unix://` URL with default pool settings.
    public convenience init(url: String, logger: Logger) throws(RedisError) {
        self.init(configuration: try RedisClientConfiguration(url: url), logger: logger)
    }

    /// Maintains the connections until cancelled or gracefully shut down; then
    /// fails waiting callers with `.poolShutdown`, ends subscriptions, and
    /// closes each connection once its in-flight commands have their replies.
    public func run() async throws {
        await withTaskCancellationOrGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.pool.run() }
                group.addTask { await self.pubSub.run() }
            }
        } onCancelOrGracefulShutdown: {
            self.pool.shutdown()
            self.pubSub.shutdown()
        }
    }

    /// Sends a command on a shared connection, pipelined with other callers' commands.
    public func execute(_ command: RedisCommand) async throws -> RESPValue {
        try await traced(command.name) { try await withSharedConnection { try await $0.executeShared(command) } }
    }

    /// Sends commands in one write on a shared connection; see `RedisConnection.pipeline`.
    public func pipeline(_ commands: [RedisCommand]) async throws -> [Result<RESPValue, RedisError>] {
        try await traced("PIPELINE", batch: commands.count) { try await withSharedConnection { try await $0.pipeline(commands, exclusive: false) } }
    }

    /// Runs `body` on a shared connection, again on another one if the first was
    /// leased or closed before the command could be written.
    private func withSharedConnection<Value>(_ body: (RedisConnection) async throws -> Value) async throws -> Value {
        while true {
            let connection = try await pool.connection(for: .shared)
            do {
                return try await body(connection)
            } catch is RedisConnection.Unavailable {
                if connection.isClosed { pool.remove(connection) }
            }
        }
    }

    /// Runs `body` with a connection no one else uses meanwhile: for WATCH/MULTI/EXEC,
    /// blocking commands, or anything that changes connection state. If `body` throws,
    /// the connection is closed rather than reused, since its state is unknown.
    /// - Throws: `.leaseTimeout` when no connection frees up within the lease timeout.
    public func withConnection<Result: Sendable>(
        _ body: (RedisConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await pool.connection(for: .lease)
        do {
            let result = try await body(connection)
            pool.release(connection, healthy: true)
            return result
        } catch {
            pool.release(connection, healthy: false)
            throw error
        }
    }

    /// Subscribes to channels; returns once the server confirmed the subscription.
    /// Call `cancel()` on the subscription when done with it.
    /// - Parameters:
    ///   - channels: the channels.
    ///   - onResubscribe: called each time a channel is subscribed again after the
    ///     subscriber connection was lost; messages published meanwhile were missed.
    public func subscribe(to channels: [String], onResubscribe: (@Sendable () -> Void)? = nil) async throws -> RedisSubscription {
        try await pubSub.subscribe(.channel, channels, onResubscribe: onResubscribe)
    }

    /// Subscribes to channels matching glob patterns (`PSUBSCRIBE`).
    public func psubscribe(to patterns: [String]) async throws -> RedisSubscription {
        try await pubSub.subscribe(.pattern, patterns)
    }

    /// Subscribes to shard channels (`SSUBSCRIBE`, Redis 7).
    /// - Parameter onResubscribe: as for `subscribe(to:onResubscribe:)`.
    public func ssubscribe(to channels: [String], onResubscribe: (@Sendable () -> Void)? = nil) async throws -> RedisSubscription {
        try await pubSub.subscribe(.shardChannel, channels, onResubscribe: onResubscribe)
    }

    /// Subscribes for the duration of `body`, then releases the subscription.
    /// - Parameters:
    ///   - names: channels, patterns or shard channels, as `kind` says.
    ///   - kind: what the names are. Default `.channel`.
    ///   - body: receives the messages; the subscription ends when it returns.
    public func subscribe<Value: Sendable>(
        to names: [String], kind: RedisSubscriptionKind = .channel,
        _ body: (RedisSubscription) async throws -> Value
    ) async throws -> Value {
        let subscription = try await pubSub.subscribe(kind, names)
        defer { subscription.cancel() }
        return try await body(subscription)
    }
}
