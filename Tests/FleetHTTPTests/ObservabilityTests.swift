import FleetHTTP
import Hummingbird
import HummingbirdTesting
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import Testing

@testable import FleetHTTP

/// swift-metrics is bootstrapped once per process: every test here shares this registry.
enum TestMetrics {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(FleetObservability.metricsFactory(registry: registry))
        return registry
    }()

    /// The samples of `name` in `text`, by their label text (`{loop="0"}`).
    static func samples(_ name: String, in text: String) -> [(labels: String, value: Double)] {
        text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " "), let space = line.lastIndex(of: " ") else { return nil }
            return (String(line[line.index(line.startIndex, offsetBy: name.count)..<space]), Double(line[line.index(after: space)...]) ?? .nan)
        }
    }
}

@Suite(.serialized) struct ObservabilityTests {
    @Test func lagWindowSummarisesLikeMonitorEventLoopDelay() throws {
        var window = LagWindow(capacity: 100)
        #expect(window.summary == nil)
        for millisecond in (1...150).reversed() { window.add(Double(millisecond) / 1000) }
        // The window keeps the last 100 samples: 100 ms down to 1 ms.
        let summary = try #require(window.summary)
        #expect(summary == LagWindow.Summary(p50: 0.050, p99: 0.099, max: 0.100))
    }

    @Test func namesFollowOpenTelemetryAndPrometheusConventions() {
        let duration = PrometheusNaming.sanitize("http.server.request.duration", [("http.route", "/users/{id}")])
        #expect(duration.0 == "http_server_request_duration_seconds")
        #expect(duration.1.map(\.0) == ["http_route"])
        #expect(PrometheusNaming.sanitize("hb.requests", []).0 == "http_server_requests_total")
        #expect(PrometheusNaming.sanitize("fleet.event_loop.lag.p99", []).0 == "fleet_event_loop_lag_p99_seconds")
        #expect(PrometheusNaming.sanitize("process_open_fds", []).0 == "process_open_fds")
    }

    @Test func sampledCounterAddsOnlyGrowth() {
        let registry = TestMetrics.registry
        let counter = SampledCounter(label: "fleet.test.sampled.total")
        counter.update(to: 5)
        counter.update(to: 7)
        counter.update(to: 3)  // its source restarted: nothing is taken back
        let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        #expect(TestMetrics.samples("fleet_test_sampled_total", in: text).map(\.value) == [7])
    }

    /// A fast route that blocks its event loop 250 ms: the probe of that loop sees it,
    /// and the fast answer is counted in the same series a routed one would be.
    @Test func aBlockedEventLoopShowsInTheLagMetric() async throws {
        let observability = FleetObservability(registry: TestMetrics.registry, tracing: false)
        let router = Router()
        observability.register(on: router)
        router.get("/routed") { _, _ in "routed" }
        var fast = FastRoutes()
        fast.addBlockRoute()
        let group = MultiThreadedEventLoopGroup.singleton
        let app = Application(
            router: router,
            server: .fleet(fastRoutes: fast, logger: Logger(label: "test")),
            services: [EventLoopLagMonitor(eventLoopGroup: group, interval: .milliseconds(10), window: .seconds(5))]
        )
        try await app.test(.live) { client in
            try await Task.sleep(for: .milliseconds(300))
            let before = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            #expect(TestMetrics.samples("fleet_event_loop_lag_max_seconds", in: before).allSatisfy { $0.value < 0.2 }, "\(before)")
            try await client.execute(uri: "/debug/block/250", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/routed", method: .get) { #expect($0.status == .ok) }
            try await Task.sleep(for: .milliseconds(300))
            let after = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            let maxima = TestMetrics.samples("fleet_event_loop_lag_max_seconds", in: after)
            #expect(maxima.count == Array(group.makeIterator()).count + 1, "every loop and the concurrency pool: \(maxima)")
            #expect(maxima.contains { $0.value >= 0.2 && $0.value < 1 }, "\(maxima)")
            #expect(!TestMetrics.samples("fleet_event_loop_lag_p99_seconds", in: after).isEmpty)
            #expect(TestMetrics.samples("fleet_event_loop_lag_seconds_count", in: after).allSatisfy { $0.value > 5 })
            let fastCount = TestMetrics.samples("http_server_requests_total", in: after)
                .filter { $0.labels.contains(#"http_route="/debug/block/{ms}""#) && $0.labels.contains(#"http_response_status_code="200""#) }
            #expect(fastCount.map(\.value) == [1], "\(after)")
            let routedCount = TestMetrics.samples("http_server_request_duration_seconds_count", in: after).filter { $0.labels.contains(#"http_route="/routed""#) }
            #expect(routedCount.map(\.value) == [1])
            #expect(TestMetrics.samples("process_resident_memory_bytes", in: after).first.map { $0.value > 1_000_000 } == true)
            #expect(TestMetrics.samples("process_open_fds", in: after).first.map { $0.value > 3 } == true)
        }
    }
}
