import CoreMetrics
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// Finds blocked event loops and a starved concurrency pool, as Node's
/// `monitorEventLoopDelay` does: every `interval` each loop runs a probe task
/// scheduled for then, and a task sleeps for `interval`; how late they wake is the lag.
///
/// Per loop (`loop="0"`...) and for the pool (`loop="concurrency"`) it exports
/// `fleet_event_loop_lag_seconds` (a histogram, for rates and alerts over any
/// window) and `fleet_event_loop_lag_{p50,p99,max}_seconds` over the last `window`.
public struct EventLoopLagMonitor: Service {
    let loops: [any EventLoop]
    let interval: TimeAmount
    let window: Duration

    /// - Parameters:
    ///   - eventLoopGroup: the loops to probe, usually the server's.
    ///   - interval: time between probes. Default 20 ms.
    ///   - window: how far back p50/p99/max look. Default 30 s, two scrape intervals.
    public init(eventLoopGroup: any EventLoopGroup, interval: TimeAmount = .milliseconds(20), window: Duration = .seconds(30)) {
        self.loops = Array(eventLoopGroup.makeIterator())
        self.interval = interval
        self.window = window
    }

    var capacity: Int { max(1, Int(self.window / .nanoseconds(self.interval.nanoseconds))) }

    public func run() async throws {
        let probes = self.loops.enumerated().map { index, loop in
            LoopProbe(loop: loop, interval: self.interval, gauges: LagGauges(loop: String(index), capacity: self.capacity))
        }
        for probe in probes { probe.start() }
        defer { for probe in probes { probe.stop() } }
        let pool = LagGauges(loop: "concurrency", capacity: self.capacity)
        let interval = Duration.nanoseconds(self.interval.nanoseconds)
        // The pool's probe is this task: its sleep ends late when the pool's threads are all busy.
        while !Task.isCancelledOrShuttingDown {
            let start = ContinuousClock.now
            try? await Task.sleep(for: interval)
            pool.record(lag: ContinuousClock.now - start - interval)
        }
    }
}

extension Task where Success == Never, Failure == Never {
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}

/// One loop's probe: a task scheduled `interval` ahead that measures how late
/// it runs, then schedules the next one.
final class LoopProbe: Sendable {
    let loop: any EventLoop
    let interval: TimeAmount
    let gauges: LagGauges
    let pending = NIOLockedValueBox<Scheduled<Void>?>(nil)

    init(loop: any EventLoop, interval: TimeAmount, gauges: LagGauges) {
        self.loop = loop
        self.interval = interval
        self.gauges = gauges
    }

    func start() {
        self.loop.execute { self.schedule() }
    }

    func stop() {
        self.loop.execute { self.pending.withLockedValue { $0?.cancel() } }
    }

    private func schedule() {
        let due = NIODeadline.now() + self.interval
        let task = self.loop.scheduleTask(deadline: due) {
            self.gauges.record(lag: .nanoseconds(Int64(NIODeadline.now().uptimeNanoseconds) - Int64(due.uptimeNanoseconds)))
            self.schedule()
        }
        self.pending.withLockedValue { $0 = task }
    }
}
