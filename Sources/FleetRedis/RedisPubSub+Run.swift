import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

extension RedisPubSub {
    /// Keeps the subscriber connection up while anyone is subscribed,
    /// reconnecting with backoff and subscribing again to every topic.
    func run() async {
        var attempt = 0
        var iterator = wakeups.makeAsyncIterator()
        while true {
            let (shutdown, needed) = state.withLock { ($0.shutdown, !$0.topics.isEmpty) }
            if shutdown { break }
            if !needed {
                guard await iterator.next() != nil else { break }
                continue
            }
            if attempt > 0 {
                let delay = configuration.reconnectDelay(attempt: attempt)
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            }
            do {
                var connectionConfiguration = configuration.connection
                connectionConfiguration.commandTimeout = nil
                let connection = try await RedisConnection.connect(
                    configuration: connectionConfiguration, eventLoop: eventLoopGroup.any(), logger: logger
                )
                try await connection.setPushHandler { value in self.handlePush(value) }
                let topics: [Topic]? = state.withLock { state in
                    guard !state.shutdown else { return nil }
                    state.connection = connection
                    return Array(state.topics.keys)
                }
                guard let topics else {
                    await connection.close()
                    break
                }
                connection.sendWithoutReply(Self.commands(for: topics, subscribe: true))
                if attempt > 0 || !topics.isEmpty {
                    logger.debug("redis subscriber connected", metadata: ["redis.topics": "\(topics.count)"])
                }
                attempt = 0
                try? await connection.closeFuture.get()
                let shutdown = state.withLock { state in
                    state.connection = nil
                    for topic in state.topics.keys { state.topics[topic]?.confirmed = false }
                    return state.shutdown
                }
                if shutdown { break }
                logger.info("redis subscriber connection lost, resubscribing")
            } catch {
                attempt += 1
                logger.warning("redis subscriber connect failed", metadata: ["redis.error": "\(error)", "redis.attempt": "\(attempt)"])
            }
        }
    }

    /// Ends every subscription and closes the subscriber connection.
    func shutdown() {
        let (connection, continuations, waiters) = state.withLock { state in
            state.shutdown = true
            defer {
                state.topics.removeAll()
                state.waiters.removeAll()
            }
            return (state.connection, state.topics.values.flatMap { $0.continuations.values }, Array(state.waiters.values))
        }
        for waiter in waiters { waiter.continuation.resume(throwing: RedisConnectionPool.shutdownError) }
        for continuation in continuations { continuation.finish() }
        wakeupsContinuation.finish()
        if let connection { connection.closeGracefully() }
    }

    /// Routes a push frame (or RESP2 pub/sub array) to subscribers or confirmation waiters.
    func handlePush(_ value: RESPValue) {
        guard let parts = value.array, let kind = parts.first?.string else { return }
        switch (kind, parts.count) {
        case ("message", 3), ("smessage", 3):
            guard let channel = parts[1].string, let payload = parts[2].buffer else { return }
            let topic = Topic(kind: kind == "message" ? .channel : .shardChannel, name: channel)
            deliver(RedisPubSubMessage(channel: channel, pattern: nil, payload: payload), to: topic)
        case ("pmessage", 4):
            guard let pattern = parts[1].string, let channel = parts[2].string, let payload = parts[3].buffer else { return }
            deliver(RedisPubSubMessage(channel: channel, pattern: pattern, payload: payload), to: Topic(kind: .pattern, name: pattern))
        case ("subscribe", 3), ("psubscribe", 3), ("ssubscribe", 3):
            guard let name = parts[1].string else { return }
            let subscriptionKind: RedisSubscriptionKind = kind == "subscribe" ? .channel : kind == "psubscribe" ? .pattern : .shardChannel
            confirm(Topic(kind: subscriptionKind, name: name))
        default:
            return
        }
    }

    private func deliver(_ message: RedisPubSubMessage, to topic: Topic) {
        let continuations = state.withLock { $0.topics[topic].map { Array($0.continuations.values) } ?? [] }
        for continuation in continuations { continuation.yield(message) }
    }

    private func confirm(_ topic: Topic) {
        let (ready, resubscribed): ([CheckedContinuation<Void, any Error>], [@Sendable () -> Void]) = state.withLock { state in
            guard let subscribers = state.topics[topic] else { return ([], []) }
            let resubscribed = subscribers.everConfirmed && !subscribers.confirmed ? Array(subscribers.resubscribeHandlers.values) : []
            state.topics[topic]?.confirmed = true
            state.topics[topic]?.everConfirmed = true
            var ready: [CheckedContinuation<Void, any Error>] = []
            for (id, var waiter) in state.waiters where waiter.pending.contains(topic) {
                waiter.pending.remove(topic)
                if waiter.pending.isEmpty {
                    state.waiters.removeValue(forKey: id)
                    ready.append(waiter.continuation)
                } else {
                    state.waiters[id] = waiter
                }
            }
            return (ready, resubscribed)
        }
        for continuation in ready { continuation.resume() }
        for handler in resubscribed { handler() }
    }
}
