import FleetState
import FleetSupervisor
import Logging
import Metrics
import ServiceLifecycle

/// Reads a job queue's depth every `interval`, for `/metrics` (`fleet_jobs_waiting`,
/// `_delayed`, `_active`, `_dead`, `fleet_jobs_oldest_waiting_seconds`) and, under a
/// supervisor, as the backlog its autoscaler scales on; with a worker, also that
/// worker's totals (`fleet_jobs_processed_total{outcome}`, `fleet_jobs_processing_rate`).
///
/// The depth is the whole queue's, the same from every worker: aggregate it with
/// `max()` across workers, and the processed totals with `sum()`.
public struct JobQueueMonitor: Service {
    let queue: any JobQueue
    let queueName: String
    let worker: JobWorker?
    let interval: Duration
    let link: Int32?
    let logger: Logger

    /// - Parameters:
    ///   - queue: the queue to watch, named `queueName` in the metrics' `queue` label.
    ///   - worker: this process's worker, whose totals are exported; nil in an API process.
    ///   - interval: how often to read the depth. Default 1 s.
    ///   - link: the supervisor link (`FleetConfiguration.supervisorLink`) to report the backlog on; nil for none.
    ///   - logger: where a failed reading is logged.
    public init(queue: any JobQueue, queueName: String, worker: JobWorker?, interval: Duration = .seconds(1), link: Int32?, logger: Logger) {
        self.queue = queue
        self.queueName = queueName
        self.worker = worker
        self.interval = interval
        self.link = link
        self.logger = logger
    }

    public func run() async throws {
        let queue = [("queue", self.queueName)]
        let states = ["waiting", "delayed", "active", "dead"].map { ($0, Gauge(label: "fleet.jobs.\($0)", dimensions: queue)) }
        let oldest = Gauge(label: "fleet.jobs.oldest_waiting_seconds", dimensions: queue)
        let outcomes = ["completed", "failed", "released"].map { SampledCounter(label: "fleet.jobs.processed.total", dimensions: queue + [("outcome", $0)]) }
        let busy = SampledCounter(label: "fleet.jobs.busy_seconds.total", dimensions: queue)
        let rate = Gauge(label: "fleet.jobs.processing_rate", dimensions: queue)
        var previous = (done: 0, at: ContinuousClock.now)
        var failing = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let depth = try await self.queue.depth()
                let counts = [depth.waiting, depth.delayed, depth.active, depth.dead]
                for ((_, gauge), count) in zip(states, counts) { gauge.record(count) }
                oldest.record(depth.oldestWaitingAge.map { Double($0.nanoseconds) / 1e9 } ?? 0)
                if let link = self.link { SupervisorLink.reportBacklog(waiting: depth.waiting, descriptor: link) }
                failing = false
            } catch {
                if !failing { self.logger.warning("cannot read the job queue's depth", metadata: ["error.message": "\(error)"]) }
                failing = true
            }
            if let statistics = self.worker?.statistics {
                for (counter, total) in zip(outcomes, [statistics.completed, statistics.failed, statistics.released]) { counter.update(to: Double(total)) }
                busy.update(to: statistics.busySeconds)
                let now = ContinuousClock.now
                let done = statistics.completed + statistics.failed
                let elapsed = now - previous.at
                rate.record(Double(done - previous.done) / max(0.001, Double(elapsed.nanoseconds) / 1e9))
                previous = (done, now)
            }
            try? await Task.sleep(for: self.interval)
        }
    }
}
