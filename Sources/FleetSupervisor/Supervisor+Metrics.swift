import Foundation
extension Supervisor {
    /// The app's workers and reloads in Prometheus' text format: what `fleet metrics`
    /// prints and `fleet start --metrics-port` serves. Each worker serves its own
    /// requests, pools and loop lag on the app's port at `/metrics`.
    public func metricsText() -> String {
        let status = self.status()
        var text = PrometheusText()
        let app = [("app", status.name)]
        text.family("fleet_workers", "gauge", "Worker slots of the app.")
        text.sample("fleet_workers", app, Double(status.workers.count))
        text.family("fleet_worker_up", "gauge", "1 when the worker is online.")
        for worker in status.workers { text.sample("fleet_worker_up", labels(app, worker), worker.status == "online" ? 1 : 0) }
        let series: [(String, String, String, (WorkerStatus) -> Double)] = [
            ("fleet_worker_restarts_total", "counter", "Restarts of the slot after its worker exited unexpectedly.", { Double($0.restarts) }),
            ("fleet_worker_recycles_total", "counter", "Graceful replacements for passing a memory or age limit.", { Double($0.recycles) }),
            ("fleet_worker_uptime_seconds", "gauge", "Seconds since the slot's worker started.", { $0.uptimeSeconds }),
            ("fleet_worker_cpu_seconds_total", "counter", "CPU time of the slot's current worker.", { $0.cpuSeconds }),
            ("fleet_worker_resident_memory_bytes", "gauge", "Resident memory of the slot's worker.", { Double($0.memoryBytes) }),
            ("fleet_worker_connections", "gauge", "Established client connections the worker holds.", { Double($0.connections) }),
        ]
        for (name, type, help, value) in series {
            text.family(name, type, help)
            for worker in status.workers { text.sample(name, labels(app, worker), value(worker)) }
        }
        text.family("fleet_reload_duration_seconds", "histogram", "Completed rolling reloads.")
        for (bound, count) in zip(ReloadStatistics.bounds, self.reloads.buckets) {
            text.sample("fleet_reload_duration_seconds_bucket", app + [("le", "\(bound)")], Double(count))
        }
        text.sample("fleet_reload_duration_seconds_bucket", app + [("le", "+Inf")], Double(self.reloads.count))
        text.sample("fleet_reload_duration_seconds_sum", app, self.reloads.sum)
        text.sample("fleet_reload_duration_seconds_count", app, Double(self.reloads.count))
        text.family("fleet_reload_failures_total", "counter", "Reloads stopped because a new worker did not get ready.")
        text.sample("fleet_reload_failures_total", app, Double(self.reloads.failures))
        return text.text
    }

    private func labels(_ app: [(String, String)], _ worker: WorkerStatus) -> [(String, String)] {
        app + [("worker", String(worker.instance))]
    }
}

/// Prometheus' text exposition format, written by hand: the supervisor needs no metrics library for a few gauges.
struct PrometheusText {
    var text = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        self.text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        let rendered = labels.map { "\($0.0)=\"\(Self.escaped($0.1))\"" }.joined(separator: ",")
        self.text += "\(name){\(rendered)} \(value)\n"
    }

    static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
