import FleetLoad
import Foundation

/// Requests each worker served, from the access lines in the fleet's log file.
struct DemoShares {
    struct Share {
        let instance: Int
        let pid: Int
        let requests: Int
    }

    let shares: [Share]

    static func read(logFile: String) -> DemoShares {
        guard let text = try? String(contentsOfFile: logFile, encoding: .utf8) else { return DemoShares(shares: []) }
        var counts: [Int: (instance: Int, requests: Int)] = [:]
        for line in text.split(separator: "\n") where line.contains(#""url.path":"/users/"#) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let pid = object["pid"] as? Int, let instance = object["instance"] as? Int
            else { continue }
            counts[pid, default: (instance, 0)].requests += 1
        }
        return DemoShares(shares: counts.map { Share(instance: $0.value.instance, pid: $0.key, requests: $0.value.requests) }
            .sorted { ($0.instance, $0.pid) < ($1.instance, $1.pid) })
    }
}

/// What `fleet demo` prints at the end.
struct DemoSummary {
    let report: LoadReport
    let reloadSeconds: Double?
    let capacity: LoadReport
    let shares: DemoShares
    let instances: Int
    let peak: Double
    let slo: Duration

    /// Plan on 70% of saturation, the headroom an autoscaler targeting 70% CPU keeps.
    static let plannedUtilisation = 0.7

    var text: String {
        let total = max(1, self.shares.shares.reduce(0) { $0 + $1.requests })
        let shareLines = self.shares.shares.map { share in
            "                instance \(share.instance) pid \(share.pid): \(share.requests) requests (\(Self.percent(Double(share.requests) / Double(total))))"
        }
        let perWorker = self.capacity.achievedRate / Double(self.instances)
        let needed = Int((self.peak / (perWorker * Self.plannedUtilisation)).rounded(.up))
        let sloMilliseconds = Double(self.slo.components.seconds) * 1000 + Double(self.slo.components.attoseconds) / 1e15
        let sloNote = self.report.latency.p99 <= sloMilliseconds
            ? "p99 \(Self.ms(self.report.latency.p99)) held the \(Self.ms(sloMilliseconds)) SLO at \(Int(self.report.achievedRate))/s"
            : "p99 \(Self.ms(self.report.latency.p99)) missed the \(Self.ms(sloMilliseconds)) SLO at \(Int(self.report.achievedRate))/s: plan lower"
        return """

            fleet demo results
            requests        \(self.report.requests) in \(String(format: "%.1f", self.report.elapsed)) s: target \(Int(self.report.targetRate ?? 0))/s, achieved \(String(format: "%.1f", self.report.achievedRate))/s, dropped \(self.report.dropped)
            latency         p50 \(Self.ms(self.report.latency.p50))  p95 \(Self.ms(self.report.latency.p95))  p99 \(Self.ms(self.report.latency.p99))  max \(Self.ms(self.report.latency.max))  (from intended start: coordinated omission corrected)
            errors          \(self.report.errors) (expected 0\(self.errorKinds))  statuses \(self.report.statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " "))
            reload          \(self.reloadSeconds.map { "every worker replaced mid-run in \(String(format: "%.2f", $0)) s" } ?? "did not run")
            worker share
            \(shareLines.joined(separator: "\n"))
            capacity        \(Int(self.capacity.achievedRate)) requests/s with \(self.instances) workers at saturation (closed model, 64 connections, p99 \(Self.ms(self.capacity.latency.p99)), \(self.capacity.errors) errors)
            plan            \(sloNote); for a peak of \(Int(self.peak))/s at \(Int(Self.plannedUtilisation * 100))% of saturation (\(Int(perWorker))/s per worker): \(needed) workers, \(needed + 1) with N+1
            """
    }

    /// `: timeout 2, reset 1` when there were errors, so a failed run says what failed.
    var errorKinds: String {
        guard !self.report.errorKinds.isEmpty else { return "" }
        return ": " + self.report.errorKinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    static func ms(_ value: Double) -> String {
        value < 10 ? String(format: "%.2f ms", value) : String(format: "%.0f ms", value)
    }

    static func percent(_ value: Double) -> String {
        String(format: "%.1f%%", value * 100)
    }
}
