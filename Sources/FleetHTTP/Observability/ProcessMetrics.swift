import CoreMetrics
import FleetSupervisor

#if canImport(Glibc)
import Glibc
#endif

/// The Prometheus client libraries' process metrics, read from /proc on each scrape:
/// `process_resident_memory_bytes`, `process_cpu_seconds_total`, `process_open_fds`.
struct ProcessMetrics: Sendable {
    let memory = Gauge(label: "process_resident_memory_bytes")
    let cpu = SampledCounter(label: "process_cpu_seconds_total")
    let openDescriptors = Gauge(label: "process_open_fds")
    let startTime = Gauge(label: "process_start_time_seconds")
    let started = Double(time(nil))

    func sample() {
        let pid = getpid()
        if let stats = ProcessStats.read(pid: pid) {
            self.memory.record(stats.memoryBytes)
            self.cpu.update(to: stats.cpuSeconds)
        }
        if let count = ProcessStats.openDescriptors(pid: pid) { self.openDescriptors.record(count) }
        self.startTime.record(self.started)
    }
}
