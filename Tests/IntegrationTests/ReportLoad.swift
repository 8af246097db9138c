import Foundation

/// `POST /reports` on a real `fleet serve`, and `GET` probes timed while it runs.
struct ReportLoad {
    let port: Int
    /// The uploaded payload: the same bytes for every report.
    static let payload = String(repeating: "fleet-offload-", count: 64 * 1024 / 14)

    func request(rounds: Int, run: String = "offload") -> String {
        "POST /reports?rounds=\(rounds)&run=\(run) HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
            + "Content-Length: \(Self.payload.utf8.count)\r\nConnection: close\r\n\r\n\(Self.payload)"
    }

    /// One report on a connection of its own: the status, headers and body, and how long it took.
    func report(rounds: Int, run: String = "offload") async throws -> (status: Int, headers: [(name: String, value: String)], body: String, elapsed: Duration) {
        let start = ContinuousClock.now
        let response = try await RawHTTPConnection.connect(port: self.port).exchangeWithHeaders(sending: self.request(rounds: rounds, run: run))
        return (response.status, response.headers, response.body, ContinuousClock.now - start)
    }

    /// The rounds that make one report take about `target` on this machine, from a timed report of `probe` rounds.
    func rounds(for target: Duration, probe: Int = 200) async throws -> Int {
        var best = Duration.seconds(3600)
        for _ in 0..<3 { best = min(best, try await self.report(rounds: probe).elapsed) }
        return max(1, min(10_000, Int(Double(probe) * (target / best))))
    }

    /// `clients` loops posting reports until `duration` has passed, each at most `limit` reports;
    /// returns the statuses seen.
    func hammer(clients: Int, rounds: Int, run: String, for duration: Duration, limit: Int = 500) async throws -> [Int] {
        let deadline = ContinuousClock.now + duration
        return try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var statuses: [Int] = []
                    while ContinuousClock.now < deadline, statuses.count < limit {
                        statuses.append(try await self.report(rounds: rounds, run: run).status)
                    }
                    return statuses
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    /// Times `GET path`, one connection each, every `interval` until `duration` has passed (bounded by count too).
    func probe(_ path: String, every interval: Duration, for duration: Duration) async throws -> [Duration] {
        let deadline = ContinuousClock.now + duration
        var latencies: [Duration] = []
        while ContinuousClock.now < deadline, latencies.count < 2_000 {
            let start = ContinuousClock.now
            let status = try await RawHTTPConnection.connect(port: self.port)
                .exchange(sending: "GET \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").status
            guard status == 200 else { throw FleetProcessError(message: "GET \(path) answered \(status) under load") }
            latencies.append(ContinuousClock.now - start)
            try await Task.sleep(for: interval)
        }
        return latencies
    }
}

extension Array where Element == Duration {
    /// The `q` quantile (nearest rank), zero when empty.
    func quantile(_ q: Double) -> Duration {
        guard !self.isEmpty else { return .zero }
        let sorted = self.sorted()
        return sorted[Swift.max(0, Swift.min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1))]
    }
}
