import FleetSupervisor
import Foundation

/// `fleet list` as a table.
enum StatusTable {
    static func render(_ status: AppStatus) -> String {
        let header = ["name", "instance", "pid", "status", "uptime", "restarts", "recycles", "cpu", "memory", "connections"]
        let totalConnections = status.workers.reduce(0) { $0 + $1.connections }
        let rows = status.workers.map { worker in
            [
                status.name, "\(worker.instance)", "\(worker.pid)", worker.status, Self.duration(worker.uptimeSeconds),
                "\(worker.restarts)", "\(worker.recycles)", String(format: "%.1fs", worker.cpuSeconds), Self.bytes(worker.memoryBytes),
                Self.share(worker.connections, of: totalConnections),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let line = { (cells: [String]) in
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        let lastExits = status.workers.compactMap { worker in worker.lastExit.map { "instance \(worker.instance) last exit: \($0)" } }
        return ([line(header)] + rows.map(line) + lastExits).joined(separator: "\n") + "\n\(status.port.map { "port \($0)" } ?? "no port"), supervisor pid \(status.supervisorPID)"
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 60 ? "\(Int(seconds))s" : seconds < 3600 ? "\(Int(seconds / 60))m" : "\(Int(seconds / 3600))h"
    }

    /// `12 (40%)`: the worker's connections and its share of the fleet's.
    static func share(_ count: Int, of total: Int) -> String {
        total == 0 ? "0" : "\(count) (\(count * 100 / total)%)"
    }

    static func bytes(_ count: Int) -> String {
        count < 1 << 20 ? "\(count >> 10)K" : "\(count >> 20)M"
    }
}
