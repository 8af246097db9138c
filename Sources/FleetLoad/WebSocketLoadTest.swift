import NIOCore
import NIOPosix

/// A WebSocket fan-out test: opens the sockets, lets the senders send, waits for the
/// deliveries, closes, and returns what it measured.
///
/// ```swift
/// let target = try Target(webSocketURL: "ws://127.0.0.1:8080/chat/{room}")
/// let report = try await WebSocketLoadTest(configuration: .init(target: target, connections: 1000, rooms: 10, rate: 5)).run()
/// print(report.deliveriesPerSecond, report.latency.p99, report.lost)
/// ```
public struct WebSocketLoadTest: Sendable {
    /// What to run.
    public var configuration: WebSocketLoadConfiguration

    /// Creates a test.
    public init(configuration: WebSocketLoadConfiguration) {
        self.configuration = configuration
    }

    /// Runs the phases in turn: connect (bounded by the connect timeout), settle, send for the
    /// duration, drain (bounded by the drain timeout), close.
    ///
    /// - Parameter phase: called with a line as each phase starts, off the event loops.
    /// - Throws: `LoadError` for a bad configuration, an unresolvable host, or no socket opened.
    public func run(phase: (@Sendable (String) -> Void)? = nil) async throws -> WebSocketLoadReport {
        try configuration.validate()
        let target = configuration.target
        let address = try target.resolve()
        let (loops, owned) = MultiThreadedEventLoopGroup.loops(of: configuration.eventLoopGroup, threads: configuration.threads)
        defer { owned?.shutdownGracefully { _ in } }
        let configuration = self.configuration
        let shards = try await Self.makeShards(configuration: configuration, address: address, loops: loops)
        let usage = ResourceUsage.now()
        let idle = ProcessSample.read(configuration.watchedProcesses)

        phase?("connecting \(configuration.connections) sockets")
        let connectStart = monotonicNow()
        let deadline = NIODeadline.now() + .nanoseconds(configuration.connectTimeout.nanoseconds)
        for future in shards.map({ shard in shard.eventLoop.flatSubmit { shard.connectAll(deadline: deadline) } }) { try await future.get() }
        let connectSeconds = Double(monotonicNow() &- connectStart) / 1e9
        let opened = try await Self.sum(shards) { $0.reach().open.reduce(0, +) }
        guard opened > 0 else {
            let tally = try await Self.finish(shards, rooms: configuration.rooms)
            let errors = tally.connectErrors.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            throw LoadError(.connectFailed, "no WebSocket opened to ws://\(target.hostHeader)\(target.path) (\(errors))")
        }

        try await Task.sleep(for: configuration.settle)
        let connected = ProcessSample.read(configuration.watchedProcesses)
        phase?("\(opened) sockets open; sending for \(configuration.duration)")
        let start = monotonicNow() + 20_000_000
        let end = start + UInt64(configuration.duration.nanoseconds)
        for shard in shards { shard.eventLoop.execute { shard.startSending(start: start, end: end) } }
        try await Task.sleep(for: .nanoseconds(Int64(end) - Int64(monotonicNow())))

        phase?("draining")
        let drainEnd = monotonicNow() + UInt64(configuration.drainTimeout.nanoseconds)
        var (expected, received) = try await Self.reach(shards, rooms: configuration.rooms)
        while received < expected, monotonicNow() < drainEnd {
            try await Task.sleep(for: .milliseconds(50))
            (expected, received) = try await Self.reach(shards, rooms: configuration.rooms)
        }
        let sent = ProcessSample.read(configuration.watchedProcesses)
        let tally = try await Self.finish(shards, rooms: configuration.rooms)
        let wall = Double(monotonicNow() &- connectStart) / 1e9
        return WebSocketLoadReport(
            url: "ws://\(target.hostHeader)\(target.path)",
            connectionsRequested: configuration.connections,
            connectionsOpened: tally.opened,
            connectSeconds: connectSeconds,
            connectErrors: tally.connectErrors,
            closedDuringRun: tally.closedDuringRun,
            rooms: configuration.rooms,
            sendersPerRoom: configuration.sendersPerRoom,
            ratePerSender: configuration.rate,
            durationSeconds: configuration.duration.seconds,
            sent: tally.sentPerRoom.reduce(0, +),
            expected: expected,
            delivered: tally.delivered,
            lost: max(0, expected - received),
            otherFrames: tally.otherFrames,
            deliveriesPerSecond: Double(tally.delivered) / configuration.duration.seconds,
            latency: LoadReport.Latency(tally.latency),
            timerDriftMaxMilliseconds: Double(tally.timerDriftMicros) / 1000,
            clientCPUSeconds: usage.since().cpu,
            wallSeconds: wall,
            processes: .init(idle: idle, connected: connected, sent: sent)
        )
    }

    /// One shard per loop; connection `i` goes to loop `i % loops`.
    private static func makeShards(configuration: WebSocketLoadConfiguration, address: SocketAddress, loops: [any EventLoop]) async throws -> [WebSocketLoadShard] {
        var shards: [WebSocketLoadShard] = []
        for (index, loop) in loops.enumerated() {
            let indices = stride(from: index, to: configuration.connections, by: loops.count)
            shards.append(try await loop.submit { WebSocketLoadShard(configuration: configuration, address: address, eventLoop: loop, indices: indices, shards: loops.count) }.get())
        }
        return shards
    }

    private static func sum(_ shards: [WebSocketLoadShard], _ value: @escaping @Sendable (WebSocketLoadShard) -> Int) async throws -> Int {
        var total = 0
        for shard in shards { total += try await shard.eventLoop.submit { value(shard) }.get() }
        return total
    }

    /// Deliveries the open sockets should have by now (each room's sent × its open members), and what they have.
    private static func reach(_ shards: [WebSocketLoadShard], rooms: Int) async throws -> (expected: Int, received: Int) {
        var sent = Array(repeating: 0, count: rooms)
        var open = Array(repeating: 0, count: rooms)
        var received = 0
        for shard in shards {
            let (reach, tally) = try await shard.eventLoop.submit { (shard.reach(), shard.tally.sentPerRoom) }.get()
            for room in 0..<rooms {
                sent[room] += tally[room]
                open[room] += reach.open[room]
            }
            received += reach.received.reduce(0, +)
        }
        return (zip(sent, open).reduce(0) { $0 + $1.0 * $1.1 }, received)
    }

    /// Closes every socket and merges the shards' tallies.
    private static func finish(_ shards: [WebSocketLoadShard], rooms: Int) async throws -> WebSocketLoadShard.Tally {
        var total = WebSocketLoadShard.Tally(rooms: rooms)
        for shard in shards { total.add(try await shard.eventLoop.flatSubmit { shard.finish() }.get()) }
        return total
    }
}
