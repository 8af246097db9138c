/// One scrape of a `/metrics` page in Prometheus' text format, read by series.
struct MetricsScrape {
    let lines: [Substring]

    /// Fetches `/metrics` from a loopback port.
    static func fetch(port: Int) async throws -> MetricsScrape {
        let response = try await RawHTTPConnection.connect(port: port)
            .exchange(sending: "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        guard response.status == 200 else { throw FleetProcessError(message: "GET /metrics answered \(response.status)") }
        return MetricsScrape(lines: response.body.split(separator: "\n").filter { !$0.hasPrefix("#") })
    }

    /// The sum of every sample of `name` whose labels include all of `labels` (`key="value"`), nil when none.
    func sum(_ name: String, _ labels: String...) -> Double? {
        let samples = self.lines.compactMap { line -> Double? in
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " ") else { return nil }
            let series = line.prefix { $0 != " " }
            guard labels.allSatisfy({ series.contains($0) }), let value = line.split(separator: " ").last else { return nil }
            return Double(value)
        }
        return samples.isEmpty ? nil : samples.reduce(0, +)
    }
}
