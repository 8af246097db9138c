import Foundation

/// What a WebSocket fan-out test measured. Latency is in milliseconds, from each
/// message's intended send time to its arrival at a receiver.
///
/// Encodes to the stable JSON schema `fleet.ws-load/v1` (see `jsonString()`).
public struct WebSocketLoadReport: Sendable, Codable {
    /// The server processes watched, read at three moments.
    public struct Processes: Sendable, Codable, Hashable {
        /// Before the first socket opened.
        public var idle: [ProcessSample]
        /// With every socket open, before the first send.
        public var connected: [ProcessSample]
        /// After the last delivery, before the sockets closed.
        public var sent: [ProcessSample]
    }

    /// `fleet.ws-load/v1`.
    public var schema = "fleet.ws-load/v1"
    /// The URL, with `{room}` as given.
    public var url: String
    /// Sockets asked for.
    public var connectionsRequested: Int
    /// Sockets that completed the upgrade.
    public var connectionsOpened: Int
    /// Seconds from the first handshake to the last socket open or failed.
    public var connectSeconds: Double
    /// Sockets that never opened, by kind: `connect`, `timeout`, `status NNN`, `closed`, `upgrade`.
    public var connectErrors: [String: Int]
    /// Sockets the server closed during the run, by reason: `close NNNN`, `reset`, `error`.
    public var closedDuringRun: [String: Int]
    /// Rooms the sockets were spread over.
    public var rooms: Int
    /// Senders in each room.
    public var sendersPerRoom: Int
    /// Messages per second from each sender.
    public var ratePerSender: Double
    /// The send phase's planned length, in seconds.
    public var durationSeconds: Double
    /// Messages written by the senders.
    public var sent: Int
    /// Deliveries the sockets still open at the end should have received: each room's messages × its open members.
    public var expected: Int
    /// Deliveries received, by every socket.
    public var delivered: Int
    /// Expected deliveries that never arrived (within the drain timeout) at a socket still open.
    public var lost: Int
    /// Text frames without a stamp (welcomes, refusals).
    public var otherFrames: Int
    /// Deliveries per second of the send phase.
    public var deliveriesPerSecond: Double
    /// Delivery latency over every delivery, from the send's intended time.
    public var latency: LoadReport.Latency
    /// The latest a send went out after its planned time: above a few ms, the client itself was short of CPU.
    public var timerDriftMaxMilliseconds: Double
    /// This process's CPU time over the whole run, in seconds.
    public var clientCPUSeconds: Double
    /// Wall time of the whole run, in seconds.
    public var wallSeconds: Double
    /// The watched server processes (`--watch-pid`), empty when none.
    public var processes: Processes

    /// The report as pretty-printed JSON with sorted keys.
    public func jsonString() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Whether every socket opened, none was closed by the server, and nothing was lost.
    public var passed: Bool { connectionsOpened == connectionsRequested && closedDuringRun.isEmpty && lost == 0 }

    /// A few lines for a terminal.
    public var summary: String {
        func counts(_ map: [String: Int]) -> String {
            map.isEmpty ? "none" : map.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        }
        func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }
        var lines = [
            "\(url): \(connectionsOpened) of \(connectionsRequested) sockets open in \(String(format: "%.1f", connectSeconds)) s (errors: \(counts(connectErrors)))",
            "\(rooms) rooms, \(sendersPerRoom) sender(s) per room at \(ratePerSender)/s for \(durationSeconds) s: \(sent) messages sent",
            "delivered \(delivered) (\(Int(deliveriesPerSecond.rounded()))/s), lost \(lost) of \(expected) expected, closed by the server: \(counts(closedDuringRun))",
            "latency p50 \(ms(latency.p50))  p90 \(ms(latency.p90))  p99 \(ms(latency.p99))  max \(ms(latency.max))",
            String(format: "client CPU %.1f s over %.1f s; send timer drift max %.1f ms", clientCPUSeconds, wallSeconds, timerDriftMaxMilliseconds),
        ]
        if !processes.idle.isEmpty {
            let idle = processes.idle.reduce(0) { $0 + $1.rssKiB }
            let connected = processes.connected.reduce(0) { $0 + $1.rssKiB }
            let perSocket = connectionsOpened > 0 ? Double(connected - idle) / Double(connectionsOpened) : 0
            let cpu = zip(processes.connected, processes.sent).reduce(0.0) { $0 + $1.1.cpuSeconds - $1.0.cpuSeconds }
            let descriptors = processes.connected.map { "\($0.pid): \($0.descriptors)" }.joined(separator: ", ")
            lines.append(String(format: "server RSS %.1f MiB idle, %.1f MiB connected: %.1f KiB per socket", Double(idle) / 1024, Double(connected) / 1024, perSocket))
            lines.append("server descriptors by pid, connected: \(descriptors)")
            lines.append(String(format: "server CPU while sending %.2f s: %.2f µs per delivery", cpu, delivered > 0 ? cpu * 1e6 / Double(delivered) : 0))
        }
        return lines.joined(separator: "\n")
    }
}
