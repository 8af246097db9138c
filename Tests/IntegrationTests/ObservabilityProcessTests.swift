import Foundation
import Testing

/// Metrics and traces of real `fleet` processes, read back by a real Prometheus
/// and by an OTLP collector in the test process.
@Suite(.serialized) struct ObservabilityProcessTests {
    static let databaseEnabled = ProcessInfo.processInfo.environment["DATABASE_URL"] != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    func get(_ path: String, headers: String = "") -> String {
        "GET \(path) HTTP/1.1\r\nHost: localhost\r\n\(headers)Connection: close\r\n\r\n"
    }

    /// Two workers with their own metrics ports and a supervisor with its own, all
    /// scraped by Prometheus; the counters come back through its query API.
    @Test(.enabled(if: PrometheusServer.enabled, "needs prometheus (apt-get install prometheus)"))
    func prometheusScrapesTheWorkersAndTheSupervisor() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-obs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let workerPorts = try freeLoopbackPorts(consecutive: 2)
        let supervisorPort = try freeLoopbackPort()
        let name = "obs\(UInt16.random(in: 1000...9999))"
        let supervisor = try FleetProcess(
            ["start", "--name", name, "--state-dir", state, "-i", "2", "--port", "0", "--metrics-port", "\(supervisorPort)", FleetProcess.binary, "serve"],
            environment: ["FLEET_STATE_DIR": state, "DATABASE_URL": "", "METRICS_PORT": "\(workerPorts)"]
        )
        let port = try await supervisor.listeningPort()
        let prometheus = try PrometheusServer(targets: [
            "workers": ["127.0.0.1:\(workerPorts)", "127.0.0.1:\(workerPorts + 1)"],
            "supervisor": ["127.0.0.1:\(supervisorPort)"],
        ])
        let up = try await prometheus.waitFor("up == 1") { $0.count == 3 }
        #expect(up.count == 3, "every target scraped: \(up.map(\.labels))")

        for _ in 0..<30 {
            #expect(try await RawHTTPConnection.connect(port: port).exchange(sending: self.get("/hello")).status == 200)
        }
        for _ in 0..<5 {
            #expect(try await RawHTTPConnection.connect(port: port).exchange(sending: self.get("/health/live")).status == 200)
        }
        let hello = #"sum(http_server_requests_total{job="workers",http_route="/hello",http_response_status_code="200"})"#
        #expect(try await prometheus.waitFor(hello) { $0.first?.value == 30 }.first?.value == 30, "the fast path counts")
        let health = #"sum(http_server_request_duration_seconds_count{job="workers",http_route="/health/live"})"#
        #expect(try await prometheus.waitFor(health) { $0.first?.value == 5 }.first?.value == 5, "the router counts")
        let aggregated = #"sum(http_server_requests_total{job="supervisor",http_route="/hello"})"#
        #expect(try await prometheus.waitFor(aggregated) { $0.first?.value == 30 }.first?.value == 30, "the supervisor's scrape holds the workers'")
        let workers = try await prometheus.waitFor(#"fleet_worker_up{job="supervisor",app="\#(name)"} == 1"#) { $0.count == 2 }
        #expect(Set(workers.compactMap { $0.labels["worker"] }) == ["0", "1"])
        let lag = try await prometheus.waitFor(#"count(fleet_event_loop_lag_p99_seconds{job="workers",loop="concurrency"})"#) { $0.first?.value == 2 }
        #expect(lag.first?.value == 2, "each worker probes its concurrency pool")

        // Every expression of the alerts and the dashboard parses in this Prometheus.
        for expression in try Self.ruleAndDashboardExpressions() {
            await #expect(throws: Never.self, "\(expression)") { _ = try await prometheus.query(expression) }
        }
        supervisor.signal(SIGTERM)
        #expect(try await supervisor.exitStatus() == 0)
    }

    static func ruleAndDashboardExpressions() throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let rules = try String(contentsOf: root.appendingPathComponent("deploy/prometheus/alerts.yml"), encoding: .utf8)
        var expressions: [String] = []
        var lines = rules.split(separator: "\n", omittingEmptySubsequences: false)[...]
        while let line = lines.popFirst() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("expr:") else { continue }
            let inline = trimmed.dropFirst(5).trimmingCharacters(in: .whitespaces)
            if inline != "|" {
                expressions.append(inline)
                continue
            }
            var block: [String] = []
            while let next = lines.first, next.hasPrefix("          ") {
                block.append(next.trimmingCharacters(in: .whitespaces))
                lines = lines.dropFirst()
            }
            expressions.append(block.joined(separator: " "))
        }
        let dashboard = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("deploy/grafana/fleet-dashboard.json"))) as? [String: Any]
        for panel in dashboard?["panels"] as? [[String: Any]] ?? [] {
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                if let expression = target["expr"] as? String { expressions.append(expression.replacingOccurrences(of: "$job", with: ".+")) }
            }
        }
        #expect(expressions.count > 20)
        return expressions
    }

    /// A request with a W3C `traceparent` through Redis and PostgreSQL: the server span
    /// continues the caller's trace, the Redis and PostgreSQL spans are its children,
    /// the response carries the trace back, and the request's log lines carry its ids.
    @Test(.enabled(if: RedisTestServer.enabled && Self.databaseEnabled, "needs REDIS_URL and DATABASE_URL"))
    func spansLinkHTTPToRedisAndPostgres() async throws {
        let redisURL = try #require(RedisTestServer.url, "CI must provide REDIS_URL")
        let database = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"], "CI must provide DATABASE_URL")
        let collector = OTLPCollector()
        let trace = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let fastTrace = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let caller = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let (server, id) = try await collector.run { endpoint in
            let server = try FleetProcess(["serve"], environment: [
                "PORT": "0", "REDIS_URL": redisURL, "DATABASE_URL": database,
                "CACHE_PREFIX": RedisTestServer.prefix(), "FLEET_STATE_DIR": FileManager.default.temporaryDirectory.path,
                "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                "OTEL_BSP_SCHEDULE_DELAY": "100", "OTEL_SERVICE_NAME": "fleet-test",
            ])
            let port = try await server.listeningPort()
            let email = "traced-\(UUID().uuidString.prefix(8))@example.com"
            let body = #"{"name":"Traced","email":"\#(email)"}"#
            let created = try await RawHTTPConnection.connect(port: port).exchange(
                sending: "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            )
            #expect(created.status == 201)
            let id = try #require((try JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])?["id"] as? Int)
            let read = try await RawHTTPConnection.connect(port: port).exchangeWithHeaders(
                sending: self.get("/users/\(id)", headers: "traceparent: 00-\(trace)-\(caller)-01\r\n")
            )
            #expect(read.status == 200)
            let returned = read.headers.first { $0.name == "traceparent" }?.value.split(separator: "-").map(String.init) ?? []
            #expect(returned.count == 4 && returned[1] == trace && returned[2] != caller, "traceparent out: \(returned)")
            // Now a hit in the worker's L1: the fast path answers, in a span of its own.
            let fast = try await RawHTTPConnection.connect(port: port).exchangeWithHeaders(
                sending: self.get("/users/\(id)", headers: "traceparent: 00-\(fastTrace)-\(caller)-01\r\n")
            )
            #expect(fast.status == 200)
            #expect(fast.headers.first { $0.name == "traceparent" }?.value.contains(fastTrace) == true, "the fast path sends the trace back")
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                let spans = collector.spans.filter { $0.traceID == trace }
                if spans.contains(where: { $0.attributes["db.system.name"] == "postgresql" }), spans.contains(where: { $0.attributes["db.system.name"] == "redis" }),
                    collector.spans.contains(where: { $0.traceID == fastTrace })
                { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            return (server, id)
        }
        let spans = collector.spans.filter { $0.traceID == trace }
        let root = try #require(spans.first { $0.kind == 2 }, "a server span: \(spans.map(\.name))")
        #expect(root.parentSpanID == caller, "the server span continues the caller's span")
        #expect(root.attributes["http.route"] == "/users/{id}")
        let postgres = spans.filter { $0.attributes["db.system.name"] == "postgresql" }
        let redis = spans.filter { $0.attributes["db.system.name"] == "redis" }
        #expect(postgres.contains { $0.name == "SELECT users" && $0.kind == 3 && $0.parentSpanID == root.spanID }, "\(postgres.map { ($0.name, $0.parentSpanID) })")
        #expect(!redis.isEmpty && redis.allSatisfy { $0.kind == 3 && $0.parentSpanID == root.spanID }, "\(redis.map { ($0.name, $0.parentSpanID) })")
        #expect(Set(spans.map(\.spanID)).count == spans.count)

        let fastSpan = try #require(collector.spans.first { $0.traceID == fastTrace }, "the fast answer's span was exported")
        #expect(fastSpan.kind == 2 && fastSpan.parentSpanID == caller && fastSpan.name == "/users/{id}")
        #expect(server.jsonLines.contains { $0["trace_id"] as? String == fastTrace && $0["span_id"] as? String == fastSpan.spanID })

        let lines = server.jsonLines.filter { $0["trace_id"] as? String == trace }
        #expect(lines.contains { $0["message"] as? String == "request" && $0["span_id"] as? String == root.spanID }, "the access line carries the ids")
        #expect(!server.jsonLines.contains { $0["url.path"] as? String == "/users/\(id)" && $0["trace_id"] == nil }, "no line of the request lacks them")
        server.signal(SIGTERM)
        #expect(try await server.exitStatus() == 0)
    }
}
