import NIOCore
import NIOPosix
import Testing

@testable import FleetLoad

extension LiveTests {
    @Suite("Open and closed model against a real server", .serialized)
    struct OpenModelTests {
        @Test("p99 against a 50 ms server is 50 ms (plus the loopback floor) within 5%")
        func latencyMatchesKnownAnswer() async throws {
            // Server and generator share one event loop: the fewest thread wake-ups, so a loaded
            // machine's scheduling delays touch the measurement as little as they can.
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            defer { group.shutdownGracefully { _ in } }
            func run(delay: Duration, seconds: Int64) async throws -> LoadReport {
                let server = try await TestHTTPServer(delay: delay, group: group)
                let configuration = LoadConfiguration(
                    target: try Target(url: server.url),
                    model: .constantRate(200, duration: .seconds(seconds)),
                    connections: 30,
                    timeout: .seconds(2),
                    eventLoopGroup: group
                )
                let report = try await LoadTest(configuration: configuration).run()
                try await server.shutdown()
                return report
            }
            // The floor: p99 of the same traffic against a server that answers at once.
            let floor = try await run(delay: .zero, seconds: 2).latency.p99
            let report = try await run(delay: .milliseconds(50), seconds: 4)
            #expect(floor < 10, "loopback floor \(floor) ms")
            #expect(report.requests == 800)
            #expect(report.errors == 0)
            #expect(report.dropped == 0)
            #expect(abs(report.latency.p99 - (50 + floor)) <= 2.5, "floor \(floor) corrected \(report.latency), uncorrected \(report.uncorrectedLatency)")
            #expect(abs(report.uncorrectedLatency.p99 - (50 + floor)) <= 2.5)
            #expect(abs(report.latency.p50 - 50) <= 2.5)
            #expect(abs(report.achievedRate - 200) <= 2)
            #expect(report.statusCounts == [200: 800])
            #expect(report.exitCode == 0)
        }

        @Test("a stall raises corrected latency, not uncorrected (wrk2's coordinated omission)")
        func stallShowsInCorrectedOnly() async throws {
            let server = try await TestHTTPServer(delay: .milliseconds(50), stall: 1.0...1.5)
            let configuration = LoadConfiguration(
                target: try Target(url: server.url),
                model: .constantRate(200, duration: .seconds(4)),
                connections: 16,
                timeout: .seconds(3),
                threads: 1
            )
            let report = try await LoadTest(configuration: configuration).run()
            try await server.shutdown()
            #expect(report.errors == 0)
            #expect(report.uncorrectedLatency.p95 < 75, "uncorrected p95 \(report.uncorrectedLatency.p95)")
            #expect(report.latency.p95 > 200, "corrected p95 \(report.latency.p95)")
            #expect(report.latency.max > 450)
            #expect(report.warnings.contains { $0.contains("connections were busy") })
        }

        @Test("closed model: 4 users against a 10 ms server make about 400 req/s")
        func closedModelThroughput() async throws {
            let server = try await TestHTTPServer(delay: .milliseconds(10))
            let configuration = LoadConfiguration(
                target: try Target(url: server.url),
                model: .constantUsers(4, duration: .seconds(2)),
                connections: 4,
                threads: 2
            )
            let report = try await LoadTest(configuration: configuration).run()
            try await server.shutdown()
            #expect(report.model == "closed")
            #expect(report.errors == 0)
            #expect(report.achievedRate > 300 && report.achievedRate < 420, "rate \(report.achievedRate)")
            #expect(report.latency.p50 >= 10 && report.latency.p50 < 13)
        }

        @Test("a refused connection counts as errors and fails an error threshold")
        func refusedTarget() async throws {
            let server = try await TestHTTPServer(delay: .zero)
            let url = server.url
            try await server.shutdown()
            let configuration = LoadConfiguration(
                target: try Target(url: url),
                model: .constantRate(20, duration: .milliseconds(500)),
                connections: 2,
                thresholds: [try Threshold(parsing: "errors<1%")],
                threads: 1
            )
            let report = try await LoadTest(configuration: configuration).run()
            #expect(report.errors > 0)
            #expect(report.errorKinds["connect", default: 0] > 0)
            #expect(!report.passed)
            #expect(report.exitCode == 99)
        }

        @Test("checks: a status or body that does not match counts as an error")
        func checks() async throws {
            let server = try await TestHTTPServer(delay: .zero, body: "hello fleet")
            func run(_ checks: Checks) async throws -> LoadReport {
                let configuration = LoadConfiguration(
                    target: try Target(url: server.url),
                    model: .constantRate(100, duration: .milliseconds(500)),
                    connections: 4,
                    checks: checks,
                    threads: 1
                )
                return try await LoadTest(configuration: configuration).run()
            }
            let passing = try await run(Checks(statuses: [200], bodyContains: "fleet"))
            let wrongBody = try await run(Checks(bodyContains: "nope"))
            let wrongStatus = try await run(Checks(statuses: [201]))
            try await server.shutdown()
            #expect(passing.requests == 50 && passing.errors == 0)
            #expect(wrongBody.errors == 50 && wrongBody.checkFailures == 50)
            #expect(wrongStatus.errors == 50 && wrongStatus.statusCounts == [200: 50])
        }

        @Test("--abort-on-fail stops the run at the first failed threshold")
        func abortOnFail() async throws {
            let server = try await TestHTTPServer(delay: .milliseconds(30))
            let configuration = LoadConfiguration(
                target: try Target(url: server.url),
                model: .constantRate(50, duration: .seconds(10)),
                connections: 10,
                thresholds: [try Threshold(parsing: "p95<10ms")],
                abortOnFail: true,
                threads: 1,
                sampleInterval: .milliseconds(250)
            )
            let started = ContinuousClock.now
            let report = try await LoadTest(configuration: configuration).run()
            try await server.shutdown()
            #expect(report.aborted)
            #expect(!report.passed)
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(report.dropped > 300)
        }

        @Test("ramping stages: per-stage groups and achieved rate near the plan")
        func rampingStages() async throws {
            let server = try await TestHTTPServer(delay: .milliseconds(1))
            let model = LoadModel.arrivalRate(startRate: 0, stages: [Stage(duration: .seconds(1), target: 200), Stage(duration: .seconds(1), target: 200)])
            let configuration = LoadConfiguration(target: try Target(url: server.url), model: model, connections: 20, threads: 2)
            let report = try await LoadTest(configuration: configuration).run()
            try await server.shutdown()
            // 100 arrivals in the ramp, 200 at the plateau.
            #expect(report.requests == 300)
            #expect(report.stages.map(\.requests) == [100, 200])
            #expect(abs((report.targetRate ?? 0) - 150) < 1)
        }
    }
}
