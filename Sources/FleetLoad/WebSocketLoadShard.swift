import Histogram
import NIOCore

/// The sockets one event loop runs in a WebSocket load test: their handshakes, their
/// senders' schedule, and what they received.
///
/// Every method runs on `eventLoop`; that confinement is why the class is `@unchecked Sendable`.
final class WebSocketLoadShard: @unchecked Sendable {
    /// What a shard counted, merged across shards at the end.
    struct Tally: Sendable {
        var delivered = 0
        var otherFrames = 0
        var latency = LatencyHistogram.latency()
        var sentPerRoom: [Int]
        var connectErrors: [String: Int] = [:]
        var closedDuringRun: [String: Int] = [:]
        var opened = 0
        /// The latest a send went out after its planned time, in microseconds.
        var timerDriftMicros: UInt64 = 0

        init(rooms: Int) { sentPerRoom = Array(repeating: 0, count: rooms) }

        mutating func add(_ other: Tally) {
            delivered += other.delivered
            otherFrames += other.otherFrames
            latency.add(other.latency)
            for room in sentPerRoom.indices { sentPerRoom[room] += other.sentPerRoom[room] }
            connectErrors.merge(other.connectErrors, uniquingKeysWith: +)
            closedDuringRun.merge(other.closedDuringRun, uniquingKeysWith: +)
            opened += other.opened
            timerDriftMicros = max(timerDriftMicros, other.timerDriftMicros)
        }
    }

    /// Per room: sockets still open, and what they received.
    struct Reach: Sendable {
        var open: [Int]
        var received: [Int]
    }

    let eventLoop: any EventLoop
    private let configuration: WebSocketLoadConfiguration
    private let address: SocketAddress
    private(set) var tally: Tally
    private var connections: [WebSocketLoadConnection] = []
    private var waiting: [WebSocketLoadConnection] = []
    private var handshakes = 0
    private let handshakeLimit: Int
    private var connectDeadline = NIODeadline.now()
    private var connected: EventLoopPromise<Void>?
    private var sending = false

    /// - Parameters:
    ///   - indices: the run's connection numbers this shard owns; connection `i` joins room `i % rooms`
    ///     and sends when `i < rooms × sendersPerRoom`.
    init(configuration: WebSocketLoadConfiguration, address: SocketAddress, eventLoop: any EventLoop, indices: StrideTo<Int>, shards: Int) {
        self.configuration = configuration
        self.address = address
        self.eventLoop = eventLoop
        tally = Tally(rooms: configuration.rooms)
        handshakeLimit = max(1, configuration.connectConcurrency / shards)
        let senders = configuration.rooms * configuration.sendersPerRoom
        waiting = indices.reversed().map { index in
            WebSocketLoadConnection(shard: self, room: index % configuration.rooms, senderOrdinal: index < senders ? index : nil)
        }
    }

    /// Opens every socket, at most `handshakeLimit` handshakes at a time; completes when each
    /// has opened or failed, or at `deadline` (those still waiting count as timeouts).
    func connectAll(deadline: NIODeadline) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        connected = promise
        connectDeadline = deadline
        eventLoop.scheduleTask(deadline: deadline) { self.connectPhaseEnded() }
        startHandshakes()
        return promise.futureResult
    }

    private func startHandshakes() {
        let timeout = TimeAmount.nanoseconds(max(1, connectDeadline.uptimeNanoseconds &- NIODeadline.now().uptimeNanoseconds).clampedToInt64)
        while handshakes < handshakeLimit, connected != nil, let connection = waiting.popLast() {
            handshakes += 1
            let target = configuration.target
            WebSocketHandshake.open(
                connection, to: address, path: configuration.path(room: connection.room), host: target.hostHeader,
                on: eventLoop, timeout: timeout
            ) { failure in
                self.handshakes -= 1
                if let failure {
                    self.tally.connectErrors[failure, default: 0] += 1
                } else {
                    self.tally.opened += 1
                    self.connections.append(connection)
                }
                self.startHandshakes()
            }
        }
        if handshakes == 0, waiting.isEmpty { finishConnecting() }
    }

    private func connectPhaseEnded() {
        guard connected != nil else { return }
        if !waiting.isEmpty { tally.connectErrors["timeout", default: 0] += waiting.count }
        waiting.removeAll()
        finishConnecting()
    }

    private func finishConnecting() {
        connected?.succeed()
        connected = nil
    }

    /// Starts every sender's schedule: sender `k` of `n` sends at `start + (k / n + j) / rate` for j = 0, 1, ... before `end`.
    func startSending(start: UInt64, end: UInt64) {
        sending = true
        let senders = configuration.rooms * configuration.sendersPerRoom
        let period = 1e9 / configuration.rate
        for connection in connections {
            guard let ordinal = connection.senderOrdinal else { continue }
            let first = start + UInt64(period * Double(ordinal) / Double(senders))
            schedule(connection, at: first, period: period, end: end)
        }
    }

    private func schedule(_ connection: WebSocketLoadConnection, at due: UInt64, period: Double, end: UInt64) {
        guard due < end else { return }
        eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(due)) {
            guard self.sending else { return }
            let late = monotonicNow() &- due
            if late < 1 << 62 { self.tally.timerDriftMicros = max(self.tally.timerDriftMicros, late / 1000) }
            if connection.send(stamp: due) { self.tally.sentPerRoom[connection.room] += 1 }
            self.schedule(connection, at: due + UInt64(period), period: period, end: end)
        }
    }

    /// Per room, the sockets still open and what they received: the loss is what they should have received but did not.
    func reach() -> Reach {
        var reach = Reach(open: Array(repeating: 0, count: configuration.rooms), received: Array(repeating: 0, count: configuration.rooms))
        for connection in connections where connection.isOpen {
            reach.open[connection.room] += 1
            reach.received[connection.room] += connection.received
        }
        return reach
    }

    /// Stops sending and closes every socket still open; completes when they are closed.
    func finish() -> EventLoopFuture<Tally> {
        sending = false
        let closes = connections.compactMap { $0.finish() }
        return EventLoopFuture.whenAllComplete(closes, on: eventLoop).map { _ in self.tally }
    }

    func delivered(stamp: UInt64) {
        tally.delivered += 1
        let now = monotonicNow()
        tally.latency.recordLatency(now > stamp ? (now - stamp) / 1000 : 0)
    }

    func otherFrame() { tally.otherFrames += 1 }

    func closedDuringRun(_ connection: WebSocketLoadConnection, reason: String) {
        tally.closedDuringRun[reason, default: 0] += 1
    }
}

extension UInt64 {
    var clampedToInt64: Int64 { self > UInt64(Int64.max) ? Int64.max : Int64(self) }
}
