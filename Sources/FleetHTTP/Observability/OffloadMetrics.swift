import CoreMetrics

/// What an `Offload` pool records per job: `fleet_offload_rejected_total` (queue full),
/// `fleet_offload_cancelled_total` (dropped unrun because its task was cancelled) and
/// `fleet_offload_wait_duration_seconds`, the time from admission to a thread.
struct OffloadMetrics: Sendable {
    let rejected: Counter
    let cancelled: Counter
    let wait: Timer

    init(pool: String) {
        self.rejected = Counter(label: "fleet.offload.rejected.total", dimensions: [("pool", pool)])
        self.cancelled = Counter(label: "fleet.offload.cancelled.total", dimensions: [("pool", pool)])
        self.wait = Timer(label: "fleet.offload.wait.duration", dimensions: [("pool", pool)], preferredDisplayUnit: .seconds)
    }
}

extension Offload {
    /// Exports the pool's levels on each scrape: `fleet_offload_jobs{pool, state="queued"|"running"}`
    /// and `fleet_offload_capacity{pool, kind="threads"|"queue"}`.
    public func observe(on samplers: ScrapeSamplers) {
        let pool = self.configuration.name
        let queued = Gauge(label: "fleet.offload.jobs", dimensions: [("pool", pool), ("state", "queued")])
        let running = Gauge(label: "fleet.offload.jobs", dimensions: [("pool", pool), ("state", "running")])
        Gauge(label: "fleet.offload.capacity", dimensions: [("pool", pool), ("kind", "threads")]).record(self.configuration.threads)
        Gauge(label: "fleet.offload.capacity", dimensions: [("pool", pool), ("kind", "queue")]).record(self.configuration.queueLimit)
        samplers.add {
            let load = self.load
            queued.record(load.queued)
            running.record(load.running)
        }
    }
}
