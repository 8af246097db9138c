import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

extension RedisConnectionPool {
    /// Opens connections on demand, with backoff after failures, until `shutdown`.
    func run() async {
        await withDiscardingTaskGroup { group in
            let opens = state.withLock { connectionsToOpen(&$0) }
            for _ in 0..<opens { openRequestsContinuation.yield() }
            for await _ in openRequests {
                group.addTask { await self.openConnection() }
            }
        }
        let closing = state.withLock { state in
            defer { state.entries.removeAll() }
            return state.entries.map(\.connection)
        }
        for connection in closing {
            connection.closeGracefully()
            try? await connection.closeFuture.get()
        }
    }

    /// Stops handing out connections, fails waiters, and closes connections once idle.
    func shutdown() {
        let (waiters, connections) = state.withLock { state in
            state.shutdown = true
            defer {
                state.sharedWaiters.removeAll()
                state.leaseWaiters.removeAll()
            }
            return (state.sharedWaiters + state.leaseWaiters, state.entries.filter { !$0.leased }.map(\.connection))
        }
        for waiter in waiters { waiter.continuation.resume(throwing: Self.shutdownError) }
        for connection in connections { connection.closeGracefully() }
        openRequestsContinuation.finish()
    }

    private func openConnection() async {
        while true {
            let attempt = state.withLock { $0.failures }
            if attempt > 0 {
                let delay = configuration.reconnectDelay(attempt: attempt)
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            }
            do {
                let connection = try await RedisConnection.connect(
                    configuration: configuration.connection, eventLoop: eventLoopGroup.any(), logger: logger
                )
                connectionOpened(connection)
                return
            } catch {
                let retry = state.withLock { state in
                    state.failures += 1
                    let wanted = !state.shutdown
                        && (!state.sharedWaiters.isEmpty || !state.leaseWaiters.isEmpty
                            || state.entries.count < configuration.minimumConnections)
                    if !wanted { state.connecting -= 1 }
                    return wanted
                }
                logger.warning("redis connect failed", metadata: ["redis.error": "\(error)", "redis.attempt": "\(attempt + 1)"])
                if !retry { return }
            }
        }
    }

    private func connectionOpened(_ connection: RedisConnection) {
        let (accepted, served) = state.withLock { state -> (Bool, [(Waiter, RedisConnection)]) in
            state.connecting -= 1
            state.failures = 0
            guard !state.shutdown else { return (false, []) }
            state.entries.append(Entry(connection: connection, leased: false))
            return (true, Self.serveWaiters(&state))
        }
        guard accepted else {
            connection.closeGracefully()
            return
        }
        logger.debug("redis connection opened", metadata: ["redis.endpoint": "\(configuration.connection.endpoint)"])
        connection.closeFuture.whenComplete { _ in self.connectionClosed(connection) }
        for (waiter, connection) in served { waiter.continuation.resume(returning: connection) }
    }

    func connectionClosed(_ connection: RedisConnection) {
        let opens: Int = state.withLock { state in
            guard let index = state.entries.firstIndex(where: { $0.connection === connection }) else { return 0 }
            state.entries.remove(at: index)
            return connectionsToOpen(&state)
        }
        if opens > 0 {
            logger.info("redis connection lost, reconnecting", metadata: ["redis.endpoint": "\(configuration.connection.endpoint)"])
        }
        for _ in 0..<opens { openRequestsContinuation.yield() }
    }
}
