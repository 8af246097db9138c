import NIOCore
import NIOPosix

/// The load one event loop generates: its share of arrivals or users, its connections, its recorder.
///
/// Every method runs on `eventLoop`; that confinement is why the class is `@unchecked Sendable`.
final class LoadShard: @unchecked Sendable {
    let eventLoop: any EventLoop
    private let plan: RunPlan
    private let index: Int
    private let connectionLimit: Int
    private let pendingLimit = 100_000
    private var recorder: Recorder
    private var interval = IntervalSample()
    private var random: SplitMix64
    private var connections: [ObjectIdentifier: LoadConnection] = [:]
    private var idle: [LoadConnection] = []
    private var pending = CircularBuffer<UInt64>()
    private var connecting = 0
    private var nextArrival: Int
    private var sequence: Int
    private var stopped = false
    private var users = 0
    private var tickTask: Scheduled<Void>?
    private var housekeeping: RepeatedTask?
    private let done: EventLoopPromise<Recorder>

    init(plan: RunPlan, index: Int, eventLoop: any EventLoop) {
        self.plan = plan
        self.index = index
        self.eventLoop = eventLoop
        connectionLimit = plan.connectionLimit(shard: index)
        recorder = Recorder(names: plan.templates.count, stages: plan.model.stages.count)
        random = SplitMix64(seed: UInt64(index) &* 0x9E37_79B9 &+ monotonicNow())
        nextArrival = index
        sequence = index
        done = eventLoop.makePromise()
    }

    /// Starts at the plan's start time; the future completes with the shard's recorder when it has drained.
    func run() -> EventLoopFuture<Recorder> {
        eventLoop.execute { self.begin() }
        return done.futureResult
    }

    /// Takes what finished since the last call.
    func takeInterval() -> IntervalSample {
        var sample = interval
        sample.openConnections = connections.count
        interval = IntervalSample()
        return sample
    }

    /// Stops new arrivals; queued and in-flight requests get up to the timeout to finish.
    func stop() {
        guard !stopped else { return }
        if plan.model.isOpen { dispatchDue(now: monotonicNow()) }
        stopped = true
        tickTask?.cancel()
        if plan.model.isOpen {
            // Arrivals the schedule still owed this shard never went out.
            let owed = plan.schedule.totalArrivals.rounded(.up) - Double(nextArrival)
            let remaining = max(0, Int((owed / Double(plan.shards)).rounded(.up)))
            recorder.dropped += remaining
            interval.dropped += remaining
        }
        for connection in idle { connection.close() }
        idle.removeAll()
        graceTask = eventLoop.scheduleTask(in: .nanoseconds(Int64(plan.timeout))) { self.finish() }
        checkDrained()
    }

    private var graceTask: Scheduled<Void>?
    private var finished = false

    private func checkDrained() {
        guard stopped, pending.isEmpty, connecting == 0, connections.values.allSatisfy({ $0.inFlight == nil }) else { return }
        finish()
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        graceTask?.cancel()
        housekeeping?.cancel()
        recorder.dropped += pending.count
        pending.removeAll()
        for connection in connections.values {
            connection.fail(kind: "timeout")
            connection.close()
        }
        done.succeed(recorder)
    }

    private func begin() {
        let delay = Int64(plan.start) - Int64(monotonicNow())
        housekeeping = eventLoop.scheduleRepeatedTask(initialDelay: .nanoseconds(max(delay, 0)), delay: .milliseconds(20)) { _ in
            self.sweep()
        }
        eventLoop.scheduleTask(deadline: NIODeadline.uptimeNanoseconds(plan.end)) { self.stop() }
        if plan.model.isOpen {
            // Connect before the first arrival, as wrk2 does, so set-up time is not charged to early requests.
            for _ in 0..<connectionLimit { connect() }
            scheduleTick()
        }
    }

    // MARK: open model

    private func scheduleTick() {
        guard !stopped, let due = plan.schedule.time(ofArrival: nextArrival) else { return }
        let deadline = plan.start + UInt64(due * 1e9)
        let now = monotonicNow()
        let at = max(deadline, now + 50_000)
        tickTask = eventLoop.scheduleTask(deadline: .uptimeNanoseconds(at)) { self.tick(scheduledFor: at) }
    }

    private func tick(scheduledFor: UInt64) {
        let now = monotonicNow()
        interval.timerDriftMicros = max(interval.timerDriftMicros, (now &- scheduledFor) / 1000)
        dispatchDue(now: now)
        scheduleTick()
    }

    private func dispatchDue(now: UInt64) {
        while !stopped, let due = plan.schedule.time(ofArrival: nextArrival) {
            let intended = plan.start + UInt64(due * 1e9)
            guard intended <= now else { break }
            nextArrival += plan.shards
            arrive(intended: intended)
        }
    }

    private func arrive(intended: UInt64) {
        if let connection = idle.popLast() {
            send(on: connection, intended: intended)
            return
        }
        guard pending.count < pendingLimit else {
            recorder.dropped += 1
            interval.dropped += 1
            return
        }
        pending.append(intended)
        if connections.count + connecting < connectionLimit {
            connect()
        } else {
            interval.queuedForConnection += 1
        }
    }

    // MARK: closed model

    private func adjustUsers() {
        let total = plan.model.level(at: Double(monotonicNow() &- plan.start) / 1e9).rounded()
        let share = Int(total) / plan.shards + (index < Int(total) % plan.shards ? 1 : 0)
        let wanted = min(share, connectionLimit)
        while users < wanted {
            users += 1
            connect()
        }
        // Surplus users retire after their current request (see `next`).
    }

    // MARK: connections

    private func connect() {
        connecting += 1
        let plan = self.plan
        let shard = self
        ClientBootstrap(group: eventLoop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let connection = LoadConnection(shard: shard, collectBody: plan.needle != nil)
                    try channel.pipeline.syncOperations.addHandler(connection)
                }
            }
            .connect(to: plan.address)
            .whenComplete { result in
                shard.connecting -= 1
                if case .failure = result { shard.connectFailed() }
            }
    }

    private func connectFailed() {
        recorder.recordError(kind: "connect")
        if plan.model.isOpen {
            if let intended = pending.popFirst() {
                let now = monotonicNow()
                record(intended: intended, sent: now, now: now, status: nil, failed: true, name: 0)
            }
        } else {
            users -= 1
            let now = monotonicNow()
            record(intended: now, sent: now, now: now, status: nil, failed: true, name: 0)
        }
        checkDrained()
    }

    func connectionReady(_ connection: LoadConnection) {
        connections[ObjectIdentifier(connection)] = connection
        next(on: connection)
    }

    func connectionClosed(_ connection: LoadConnection) {
        guard connections.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return }
        idle.removeAll { $0 === connection }
        if !plan.model.isOpen, !stopped { users -= 1 }
        if plan.model.isOpen, !pending.isEmpty, connections.count + connecting < connectionLimit {
            connect()
        }
        checkDrained()
    }

    func completed(_ connection: LoadConnection, request: LoadConnection.InFlight, response: ResponseParser.Response) {
        var failed = !plan.configuration.checks.passes(status: response.status)
        if !failed, let needle = plan.needle, !(response.body?.contains(needle) ?? false) {
            failed = true
            recorder.checkFailures += 1
        } else if failed {
            recorder.checkFailures += 1
        }
        record(intended: request.intended, sent: request.sent, now: monotonicNow(), status: response.status, failed: failed, name: request.name)
        if response.close { return }
        next(on: connection)
    }

    func failed(_ connection: LoadConnection, request: LoadConnection.InFlight, kind: String) {
        recorder.recordError(kind: kind)
        record(intended: request.intended, sent: request.sent, now: monotonicNow(), status: nil, failed: true, name: request.name)
        checkDrained()
    }

    /// Gives a free connection its next request, or parks or retires it.
    private func next(on connection: LoadConnection) {
        if plan.model.isOpen, let intended = pending.popFirst() {
            send(on: connection, intended: intended)
            return
        }
        if stopped {
            connection.close()
            checkDrained()
            return
        }
        if plan.model.isOpen {
            idle.append(connection)
            return
        }
        let total = plan.model.level(at: Double(monotonicNow() &- plan.start) / 1e9).rounded()
        let share = Int(total) / plan.shards + (index < Int(total) % plan.shards ? 1 : 0)
        if users > share {
            users -= 1
            connections.removeValue(forKey: ObjectIdentifier(connection))
            connection.close()
            return
        }
        send(on: connection, intended: monotonicNow())
    }

    private func send(on connection: LoadConnection, intended: UInt64) {
        let name = plan.pickRequest(&random)
        let template = plan.templates[name]
        let request: ByteBuffer
        if let fixed = template.fixed {
            request = fixed
        } else {
            var buffer = ByteBufferAllocator().buffer(capacity: 256)
            template.render(sequence: sequence, random: &random, into: &buffer)
            sequence += plan.shards
            request = buffer
        }
        let now = monotonicNow()
        recorder.lastSent = now
        let flight = LoadConnection.InFlight(intended: intended, sent: now, name: name, stage: plan.stage(at: intended))
        connection.send(request, inFlight: flight, bodyless: plan.bodyless[name])
    }

    private func record(intended: UInt64, sent: UInt64, now: UInt64, status: Int?, failed: Bool, name: Int) {
        let corrected = (now &- intended) / 1000
        let uncorrected = (now &- sent) / 1000
        recorder.record(correctedMicros: corrected, uncorrectedMicros: uncorrected, status: status, failed: failed, name: name, stage: plan.stage(at: intended))
        interval.requests += 1
        if failed { interval.errors += 1 }
        interval.latency.recordLatency(corrected)
        interval.uncorrected.recordLatency(uncorrected)
    }

    /// Times out requests older than the timeout; in the closed model, follows the user ramp.
    private func sweep() {
        let now = monotonicNow()
        for connection in connections.values {
            if let request = connection.inFlight, now &- request.sent > plan.timeout {
                connection.fail(kind: "timeout")
                connection.close()
            }
        }
        if !plan.model.isOpen, !stopped {
            adjustUsers()
        }
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
