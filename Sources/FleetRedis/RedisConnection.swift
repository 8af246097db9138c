import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One connection to a Redis server, shared by any number of concurrent callers.
///
/// Commands are pipelined: each caller's command is queued, written with
/// every other command submitted before the event loop gets to it, and
/// matched with its reply in order.
public final class RedisConnection: RedisCommandExecutor, Sendable {
    /// The protocol negotiated in the handshake.
    public var protocolVersion: RedisConnectionConfiguration.ProtocolVersion { negotiated.withLock { $0 } }
    /// Completes when the connection has closed.
    public var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    let channel: any Channel
    let queue: RedisSubmissionQueue
    let handler: NIOLoopBound<RedisChannelHandler>
    let logger: Logger
    private let commandTimeout: Duration?
    private let negotiated = Mutex(RedisConnectionConfiguration.ProtocolVersion.resp3)
    private let drainTask: @Sendable () -> Void

    init(channel: any Channel, queue: RedisSubmissionQueue, handler: NIOLoopBound<RedisChannelHandler>,
         commandTimeout: Duration?, logger: Logger) {
        self.channel = channel
        self.queue = queue
        self.handler = handler
        self.commandTimeout = commandTimeout
        self.logger = logger
        drainTask = { handler.value.drain() }
    }

    /// Connects, negotiates the protocol and logs in.
    /// - Parameters:
    ///   - configuration: where and how to connect.
    ///   - eventLoop: the loop the connection lives on.
    ///   - logger: the logger for connection events.
    public static func connect(
        configuration: RedisConnectionConfiguration,
        eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any(),
        logger: Logger
    ) async throws -> RedisConnection {
        let connection = try await RedisConnectionFactory(configuration: configuration, logger: logger)
            .makeChannel(on: eventLoop)
        do {
            try await connection.handshake(configuration)
        } catch {
            await connection.close()
            throw RedisError(.connectFailed, "handshake with \(configuration.endpoint) failed", underlying: error)
        }
        return connection
    }

    /// Sends a command and waits for its reply, using the connection's command timeout.
    /// - Throws: `RedisError`: a server error reply, `.timeout`, or `.connectionClosed`.
    public func execute(_ command: RedisCommand) async throws -> RESPValue {
        try await execute(command, timeout: commandTimeout)
    }

    /// Sends a command and waits for its reply for at most `timeout` (nil: forever).
    public func execute(_ command: RedisCommand, timeout: Duration?) async throws -> RESPValue {
        try await submit(command, timeout: timeout, exclusive: true)
    }

    /// Thrown by shared submissions that were not written because the connection
    /// was leased or closed meanwhile; the pool retries them on another connection.
    struct Unavailable: Error {}

    /// Sends a command for the pool's shared use; throws `Unavailable` if the connection was leased or closed.
    func executeShared(_ command: RedisCommand) async throws -> RESPValue {
        try await submit(command, timeout: commandTimeout, exclusive: false)
    }

    private func submit(_ command: RedisCommand, timeout: Duration?, exclusive: Bool) async throws -> RESPValue {
        let deadline = Self.deadline(timeout)
        return try await withUnsafeThrowingContinuation { continuation in
            let outcome = exclusive
                ? queue.submit(CollectionOfOne(command), sink: .single(continuation), deadline: deadline, exclusive: true)
                : queue.submit(command, sink: .single(continuation), deadline: deadline)
            switch outcome {
            case .scheduleDrain: channel.eventLoop.execute(drainTask)
            case .queued: break
            case .rejected(let error): continuation.resume(throwing: exclusive ? error : Unavailable())
            case .leased: continuation.resume(throwing: Unavailable())
            }
        }
    }

    /// Sends commands in one write and waits for all their replies.
    ///
    /// Server errors do not throw: each reply is a `Result`. The commands are
    /// written back to back, so `MULTI ... EXEC` in one pipeline is never
    /// interleaved with other callers' commands.
    /// - Throws: `RedisError` `.timeout` or `.connectionClosed`.
    public func pipeline(_ commands: [RedisCommand]) async throws -> [Result<RESPValue, RedisError>] {
        try await pipeline(commands, exclusive: true)
    }

    /// Pipelines for the pool's shared use; throws `Unavailable` if the connection was leased or closed.
    func pipeline(_ commands: [RedisCommand], exclusive: Bool) async throws -> [Result<RESPValue, RedisError>] {
        guard !commands.isEmpty else { return [] }
        let deadline = Self.deadline(commandTimeout)
        return try await withUnsafeThrowingContinuation { continuation in
            let collector = RedisBatchCollector(expected: commands.count, continuation: continuation)
            switch queue.submit(commands, sink: .batch(collector), deadline: deadline, exclusive: exclusive) {
            case .scheduleDrain: channel.eventLoop.execute(drainTask)
            case .queued: break
            case .rejected(let error): continuation.resume(throwing: exclusive ? error : Unavailable())
            case .leased: continuation.resume(throwing: Unavailable())
            }
        }
    }

    /// Writes commands whose replies arrive as push frames (SUBSCRIBE and friends).
    func sendWithoutReply(_ commands: [RedisCommand]) {
        switch queue.submit(commands, sink: nil, deadline: .distantFuture, exclusive: true) {
        case .scheduleDrain: channel.eventLoop.execute(drainTask)
        case .queued, .rejected, .leased: break
        }
    }

    /// Routes push frames (and RESP2 pub/sub arrays) to `handler` on the event loop.
    func setPushHandler(_ push: @escaping @Sendable (RESPValue) -> Void) async throws {
        let resp2 = protocolVersion == .resp2
        let handler = self.handler
        try await channel.eventLoop.submit {
            handler.value.pushHandler = push
            handler.value.resp2SubscribeMode = resp2
        }.get()
    }

    /// Closes the connection once the replies of commands in flight have arrived.
    public func closeGracefully() {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.closeGracefully() }
    }

    /// Closes the connection now; commands in flight fail with `.connectionClosed`.
    public func close() async {
        try? await channel.close()
    }

    var isClosed: Bool { queue.isClosed || !channel.isActive }

    func setNegotiated(_ version: RedisConnectionConfiguration.ProtocolVersion) {
        negotiated.withLock { $0 = version }
    }

    private static func deadline(_ timeout: Duration?) -> NIODeadline {
        guard let timeout else { return .distantFuture }
        return .now() + TimeAmount(timeout)
    }
}
