/// How swift-metrics labels become Prometheus names: OpenTelemetry's dotted
/// names (`http.server.request.duration`) with underscores; durations and lags,
/// which swift-prometheus exports in seconds, with the `_seconds` suffix; and
/// Hummingbird's counters under the names the alerts and dashboard use.
enum PrometheusNaming {
    static let renamed = [
        "hb.requests": "http_server_requests_total",
        "hb.request.errors": "http_server_request_errors_total",
    ]

    static func sanitize(_ name: String, _ labels: [(String, String)]) -> (String, [(String, String)]) {
        let labels = labels.map { (underscored($0.0), $0.1) }
        if let renamed = Self.renamed[name] { return (renamed, labels) }
        var prometheus = underscored(name)
        if name.hasSuffix(".duration") || name.hasPrefix("fleet.event_loop.lag") {
            prometheus += "_seconds"
        }
        return (prometheus, labels)
    }

    static func underscored(_ name: String) -> String {
        String(name.map { $0 == "." ? "_" : $0 })
    }
}
