import Logging
import NIOCore
import Synchronization

/// The subscriber side of a `RedisClient`: one dedicated connection carrying
/// every subscription, each server subscription shared by all local
/// subscribers of the same name and re-established after a reconnect.
final class RedisPubSub: Sendable {
    struct Topic: Hashable, Sendable {
        let kind: RedisSubscriptionKind
        let name: String
    }

    struct Subscribers {
        var continuations: [UInt64: AsyncStream<RedisPubSubMessage>.Continuation] = [:]
        var resubscribeHandlers: [UInt64: @Sendable () -> Void] = [:]
        var confirmed = false
        /// Confirmed at least once: a later confirmation follows a lost connection.
        var everConfirmed = false
    }

    struct Waiter {
        var pending: Set<Topic>
        let continuation: CheckedContinuation<Void, any Error>
    }

    struct State {
        var topics: [Topic: Subscribers] = [:]
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0
        var connection: RedisConnection?
        var shutdown = false
    }

    let state = Mutex(State())
    let wakeups: AsyncStream<Void>
    let wakeupsContinuation: AsyncStream<Void>.Continuation
    let configuration: RedisClientConfiguration
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger

    init(configuration: RedisClientConfiguration, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        (wakeups, wakeupsContinuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Subscribes and returns once the server has confirmed every name.
    func subscribe(
        _ kind: RedisSubscriptionKind, _ names: [String], onResubscribe: (@Sendable () -> Void)? = nil
    ) async throws -> RedisSubscription {
        let (stream, continuation) = AsyncStream.makeStream(of: RedisPubSubMessage.self)
        let topics = Set(names.map { Topic(kind: kind, name: $0) })
        let (id, connection, fresh): (UInt64, RedisConnection?, [Topic]) = try state.withLock { state in
            guard !state.shutdown else { throw RedisConnectionPool.shutdownError }
            state.nextID += 1
            var fresh: [Topic] = []
            for topic in topics {
                if state.topics[topic] == nil { fresh.append(topic) }
                state.topics[topic, default: Subscribers()].continuations[state.nextID] = continuation
                state.topics[topic]?.resubscribeHandlers[state.nextID] = onResubscribe
            }
            return (state.nextID, state.connection, fresh)
        }
        continuation.onTermination = { _ in self.unsubscribe(id, topics) }
        if let connection {
            connection.sendWithoutReply(Self.commands(for: fresh, subscribe: true))
        } else {
            wakeupsContinuation.yield()
        }
        do {
            try await waitForConfirmation(id, topics)
        } catch {
            continuation.finish()
            throw error
        }
        return RedisSubscription(stream: stream, continuation: continuation)
    }

    private func waitForConfirmation(_ id: UInt64, _ topics: Set<Topic>) async throws {
        let timeout = configuration.connection.commandTimeout ?? configuration.leaseTimeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Task.sleep(for: timeout)
                self.failWaiter(id, RedisError(.timeout, "subscription not confirmed within \(timeout)"))
            }
            defer { group.cancelAll() }
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let ready = state.withLock { state in
                        let pending = topics.filter { state.topics[$0]?.confirmed != true }
                        if pending.isEmpty { return true }
                        state.waiters[id] = Waiter(pending: pending, continuation: continuation)
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                self.failWaiter(id, CancellationError())
            }
        }
    }

    private func failWaiter(_ id: UInt64, _ error: any Error) {
        state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume(throwing: error)
    }

    private func unsubscribe(_ id: UInt64, _ topics: Set<Topic>) {
        let (connection, released): (RedisConnection?, [Topic]) = state.withLock { state in
            var released: [Topic] = []
            for topic in topics {
                state.topics[topic]?.continuations.removeValue(forKey: id)
                state.topics[topic]?.resubscribeHandlers.removeValue(forKey: id)
                if state.topics[topic]?.continuations.isEmpty == true {
                    state.topics.removeValue(forKey: topic)
                    released.append(topic)
                }
            }
            return (state.connection, released)
        }
        if let connection, !released.isEmpty {
            connection.sendWithoutReply(Self.commands(for: released, subscribe: false))
        }
    }

    static func commands(for topics: some Sequence<Topic>, subscribe: Bool) -> [RedisCommand] {
        Dictionary(grouping: topics, by: \.kind).map { kind, topics in
            RedisCommand(subscribe ? kind.subscribe : kind.unsubscribe, topics.map(\.name))
        }
    }
}
