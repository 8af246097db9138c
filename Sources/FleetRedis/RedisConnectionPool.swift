import Logging
import NIOCore
import Synchronization

/// The connections of a `RedisClient`: shared ones that pipeline any caller's
/// commands, and leased ones that belong to one `withConnection` body.
final class RedisConnectionPool: Sendable {
    enum Demand: Sendable {
        /// Any connection that is not leased, to pipeline a command on.
        case shared
        /// A connection of one's own.
        case lease
    }

    struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<RedisConnection, any Error>
    }

    struct Entry {
        let connection: RedisConnection
        var leased: Bool
    }

    struct State {
        var entries: [Entry] = []
        var connecting = 0
        var roundRobin = 0
        /// Callers waiting for any unleased connection: one arrival serves them all.
        var sharedWaiters: [Waiter] = []
        /// Callers waiting to lease: one connection each, in arrival order.
        var leaseWaiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var failures = 0
        var shutdown = false
    }

    let state = Mutex(State())
    let openRequests: AsyncStream<Void>
    let openRequestsContinuation: AsyncStream<Void>.Continuation
    let configuration: RedisClientConfiguration
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger

    init(configuration: RedisClientConfiguration, eventLoopGroup: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        (openRequests, openRequestsContinuation) = AsyncStream.makeStream()
    }

    /// A connection for `demand`: shared ones pipeline any caller's commands, leased
    /// ones are reserved for the caller until `release`. Lock-only on the fast path.
    func connection(for demand: Demand) async throws -> RedisConnection {
        let found: RedisConnection? = try state.withLock { state in
            guard !state.shutdown else { throw Self.shutdownError }
            return Self.take(demand, &state)
        }
        if let found { return found }
        return try await wait(for: demand)
    }

    /// Returns a leased connection; an unhealthy one is closed and replaced.
    func release(_ connection: RedisConnection, healthy: Bool) {
        let keep = healthy && !connection.isClosed
        if keep { connection.queue.setLeased(false) }
        let resumed: [(Waiter, RedisConnection)] = state.withLock { state in
            guard let index = state.entries.firstIndex(where: { $0.connection === connection }) else { return [] }
            guard keep, !state.shutdown else {
                state.entries.remove(at: index)
                return []
            }
            state.entries[index].leased = false
            return Self.serveWaiters(&state)
        }
        if !keep || state.withLock({ $0.shutdown }) {
            connection.closeGracefully()
        }
        for (waiter, connection) in resumed { waiter.continuation.resume(returning: connection) }
    }

    /// Drops a shared connection found closed; the close callback also does this, later.
    func remove(_ connection: RedisConnection) {
        connectionClosed(connection)
    }

    private func wait(for demand: Demand) async throws -> RedisConnection {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Task.sleep(for: self.configuration.leaseTimeout)
                self.failWaiter(id, RedisError(.leaseTimeout, "no connection within \(self.configuration.leaseTimeout)"))
            }
            defer { group.cancelAll() }
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { continuation in
                    let (result, opens): (Result<RedisConnection, any Error>?, Int) = state.withLock { state in
                        if state.shutdown { return (.failure(Self.shutdownError), 0) }
                        if Task.isCancelled { return (.failure(CancellationError()), 0) }
                        if let found = Self.take(demand, &state) { return (.success(found), 0) }
                        let waiter = Waiter(id: id, continuation: continuation)
                        if demand == .shared { state.sharedWaiters.append(waiter) } else { state.leaseWaiters.append(waiter) }
                        return (nil, self.connectionsToOpen(&state))
                    }
                    if let result { continuation.resume(with: result) }
                    for _ in 0..<opens { openRequestsContinuation.yield() }
                }
            } onCancel: {
                self.failWaiter(id, CancellationError())
            }
        }
    }

    private func failWaiter(_ id: UInt64, _ error: any Error) {
        let waiter: Waiter? = state.withLock { state in
            if let index = state.sharedWaiters.firstIndex(where: { $0.id == id }) {
                return state.sharedWaiters.remove(at: index)
            }
            if let index = state.leaseWaiters.firstIndex(where: { $0.id == id }) {
                return state.leaseWaiters.remove(at: index)
            }
            return nil
        }
        waiter?.continuation.resume(throwing: error)
    }

    private static func take(_ demand: Demand, _ state: inout State) -> RedisConnection? {
        demand == .shared ? takeShared(&state) : takeLease(&state)
    }

    private static func takeShared(_ state: inout State) -> RedisConnection? {
        let count = state.entries.count
        for step in 0..<count {
            let index = (state.roundRobin + step) % count
            if !state.entries[index].leased {
                state.roundRobin = index + 1
                return state.entries[index].connection
            }
        }
        return nil
    }

    private static func takeLease(_ state: inout State) -> RedisConnection? {
        guard let index = state.entries.firstIndex(where: { !$0.leased }) else { return nil }
        state.entries[index].leased = true
        state.entries[index].connection.queue.setLeased(true)
        return state.entries[index].connection
    }

    /// Hands available connections to lease waiters in arrival order, then to every shared waiter.
    static func serveWaiters(_ state: inout State) -> [(Waiter, RedisConnection)] {
        var served: [(Waiter, RedisConnection)] = []
        var leased = 0
        while leased < state.leaseWaiters.count, let connection = takeLease(&state) {
            served.append((state.leaseWaiters[leased], connection))
            leased += 1
        }
        state.leaseWaiters.removeFirst(leased)
        if !state.sharedWaiters.isEmpty, takeShared(&state) != nil {
            for waiter in state.sharedWaiters { served.append((waiter, takeShared(&state)!)) }
            state.sharedWaiters.removeAll()
        }
        return served
    }

    /// How many more connections to open for the minimum and for waiters, within the maximum.
    func connectionsToOpen(_ state: inout State) -> Int {
        guard !state.shutdown else { return 0 }
        let wanted = max(
            configuration.minimumConnections,
            state.entries.count + state.leaseWaiters.count + (state.sharedWaiters.isEmpty ? 0 : 1)
        )
        let target = min(configuration.maximumConnections, wanted)
        let opens = max(0, target - state.entries.count - state.connecting)
        state.connecting += opens
        return opens
    }

    static let shutdownError = RedisError(.poolShutdown, "the Redis client is not running")
}
