import Foundation
import NIOCore
import Testing

/// `POST /reports` on a real `fleet serve`: heavy work on the offload pool leaves the
/// event loops free, a full queue answers 503 at once, and a client that hangs up
/// while its job waits costs no work.
@Suite(.serialized) struct OffloadProcessTests {
    func serve(_ environment: [String: String] = [:]) async throws -> (FleetProcess, ReportLoad, String) {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-offload-\(UUID().uuidString)").path
        let fleet = try FleetProcess(
            ["serve"],
            environment: ["FLEET_STATE_DIR": state, "DATABASE_URL": "", "REDIS_URL": "", "PORT": "0", "BENCH_ROUTES": "1"].merging(environment) { $1 }
        )
        return (fleet, ReportLoad(port: try await fleet.listeningPort()), state)
    }

    /// Polls `/metrics` until `condition` holds (at most 20 s) and returns that scrape.
    func waitFor(_ port: Int, _ what: String, _ condition: (MetricsScrape) -> Bool) async throws -> MetricsScrape {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let scrape = try await MetricsScrape.fetch(port: port)
            if condition(scrape) { return scrape }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw FleetProcessError(message: "metrics never showed \(what)")
    }

    func jobs(_ scrape: MetricsScrape, _ state: String) -> Double? {
        scrape.sum("fleet_offload_jobs", #"state="\#(state)""#)
    }

    /// What one phase of load did: `/users/1` latencies; from the lag histogram (a probe
    /// every 20 ms per loop; a loop blocked for a whole report delays one probe by all of it)
    /// the probes more than 100 ms late and the mean lag; and the statuses of the reports.
    struct Phase {
        var users: [Duration]
        var lateProbes: Double
        var meanLag: Double
        var statuses: [Int]
    }

    func phase(_ run: String, load: ReportLoad, rounds: Int) async throws -> Phase {
        let loops = (0..<ProcessInfo.processInfo.activeProcessorCount).map { #"loop="\#($0)""# }
        func lag(_ scrape: MetricsScrape) -> (count: Double, sum: Double, onTime: Double) {
            loops.reduce((0, 0, 0)) { total, loop in
                (total.0 + (scrape.sum("fleet_event_loop_lag_seconds_count", loop) ?? 0),
                 total.1 + (scrape.sum("fleet_event_loop_lag_seconds_sum", loop) ?? 0),
                 total.2 + (scrape.sum("fleet_event_loop_lag_seconds_bucket", loop, #"le="0.1""#) ?? 0))
            }
        }
        let before = lag(try await MetricsScrape.fetch(port: load.port))
        async let statuses = load.hammer(clients: 4, rounds: rounds, run: run, for: .seconds(5))
        // Let every client have a report in flight before timing anything.
        try await Task.sleep(for: .milliseconds(500))
        let users = try await load.probe("/users/1", every: .milliseconds(10), for: .seconds(4))
        let done = try await statuses
        let after = lag(try await MetricsScrape.fetch(port: load.port))
        let probes = after.count - before.count
        let late = probes - (after.onTime - before.onTime)
        return Phase(users: users, lateProbes: late, meanLag: probes > 0 ? (after.sum - before.sum) / probes : 0, statuses: done)
    }

    @Test func aReportIsTheChainedDigestAndBadInputIsNamed() async throws {
        let (fleet, load, state) = try await self.serve(["BODY_LIMIT": "70000"])
        defer { try? FileManager.default.removeItem(atPath: state) }
        // The payload, 3 rounds, as Python's hashlib computes it; every placement agrees.
        let expected = "c4b84cf6b8f2f89be26d993f7ef630188a3b398984d1cfc04e045cbd8950ecc4"
        for run in ["offload", "loop", "inline"] {
            let report = try await load.report(rounds: 3, run: run)
            #expect(report.status == 200, "\(run): \(report.body)")
            #expect(report.body.contains(#""sha256":"\#(expected)""#), "\(run): \(report.body)")
            #expect(report.body.contains(#""bytes":\#(ReportLoad.payload.utf8.count)"#))
        }
        for (query, field) in [("rounds=0", "rounds"), ("rounds=ten", "rounds"), ("rounds=10001", "rounds"), ("run=gpu", "run")] {
            let response = try await RawHTTPConnection.connect(port: load.port).exchange(
                sending: "POST /reports?\(query) HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx"
            )
            #expect(response.status == 400, "\(query)")
            #expect(response.body.contains(#""field":"\#(field)""#), "\(query): \(response.body)")
        }
        let large = String(repeating: "x", count: 70001)
        let tooLarge = try await RawHTTPConnection.connect(port: load.port).exchange(
            sending: "POST /reports HTTP/1.1\r\nHost: localhost\r\nContent-Length: \(large.utf8.count)\r\nConnection: close\r\n\r\n\(large)"
        )
        #expect(tooLarge.status == 413)
        #expect(tooLarge.body.contains(#""field":"body""#))
        fleet.signal(SIGTERM)
        #expect(try await fleet.exitStatus() == 0)
    }

    @Test func theComparisonsNeedBenchRoutes() async throws {
        let (fleet, load, state) = try await self.serve(["BENCH_ROUTES": "false"])
        defer { try? FileManager.default.removeItem(atPath: state) }
        let refused = try await load.report(rounds: 1, run: "loop")
        #expect(refused.status == 400)
        #expect(refused.body.contains(#""field":"run""#) && refused.body.contains("BENCH_ROUTES"), "\(refused.body)")
        #expect(try await load.report(rounds: 1).status == 200)
        fleet.signal(SIGTERM)
        #expect(try await fleet.exitStatus() == 0)
    }

    @Test func usersStayFastWhileReportsRunOnTheOffloadPool() async throws {
        let (fleet, load, state) = try await self.serve()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let user = #"{"name":"user1","email":"user1@example.com"}"#
        let created = try await RawHTTPConnection.connect(port: load.port).exchange(
            sending: "POST /users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(user.utf8.count)\r\nConnection: close\r\n\r\n\(user)"
        )
        #expect(created.status == 201)
        // One report of about 150 ms: long enough to stall a loop visibly, short beside the phase.
        let rounds = try await load.rounds(for: .milliseconds(150))
        let offload = try await self.phase("offload", load: load, rounds: rounds)
        let loop = try await self.phase("loop", load: load, rounds: rounds)
        let summary = "rounds \(rounds); /users/1 p50/p99 offload \(offload.users.quantile(0.5))/\(offload.users.quantile(0.99)), "
            + "loop \(loop.users.quantile(0.5))/\(loop.users.quantile(0.99)); mean loop lag: offload \(offload.meanLag) s, loop \(loop.meanLag) s; "
            + "lag probes over 100 ms: offload \(offload.lateProbes), loop \(loop.lateProbes); "
            + "reports offload \(offload.statuses.count), loop \(loop.statuses.count)"
        print("offload phases: \(summary)")
        #expect(offload.statuses.allSatisfy { $0 == 200 } && !offload.statuses.isEmpty, "\(summary)")
        #expect(loop.statuses.allSatisfy { $0 == 200 } && !loop.statuses.isEmpty, "\(summary)")
        #expect(offload.users.count >= 50 && loop.users.count >= 2, "\(summary)")
        // Bounds with room for a loaded 2-core machine; on the loop a probe waits behind whole reports.
        #expect(offload.users.quantile(0.99) < .milliseconds(250), "offloaded: /users/1 stays fast; \(summary)")
        #expect(offload.lateProbes <= 5 && offload.lateProbes * 4 < loop.lateProbes && offload.meanLag < 0.02, "offloaded: the loops stay on time; \(summary)")
        #expect(loop.lateProbes >= 10 && loop.meanLag > offload.meanLag * 3, "on the loop: the lag metric shows it; \(summary)")
        #expect(loop.users.quantile(0.99) > offload.users.quantile(0.99) * 2, "on the loop: /users/1 waits behind reports; \(summary)")
        fleet.signal(SIGTERM)
        #expect(try await fleet.exitStatus() == 0)
    }

    @Test func aFullQueueAnswers503AtOnceAndNothingHangs() async throws {
        let (fleet, load, state) = try await self.serve(["OFFLOAD_THREADS": "1", "OFFLOAD_QUEUE": "1"])
        defer { try? FileManager.default.removeItem(atPath: state) }
        let rounds = try await load.rounds(for: .seconds(1))
        async let first = load.report(rounds: rounds)
        async let second = load.report(rounds: rounds)
        _ = try await self.waitFor(load.port, "one job running and one queued") { self.jobs($0, "running") == 1 && self.jobs($0, "queued") == 1 }
        let refused = try await load.report(rounds: 1)
        #expect(refused.status == 503)
        #expect(refused.headers.first { $0.name == "content-type" }?.value == "application/problem+json")
        #expect(refused.headers.first { $0.name == "retry-after" }?.value == "1")
        #expect(refused.body.contains(#""type":"urn:fleet:problem:overloaded""#), "\(refused.body)")
        #expect(refused.elapsed < .milliseconds(500), "refused at once, not after the queue: \(refused.elapsed)")
        let (a, b) = try await (first, second)
        #expect(a.status == 200 && b.status == 200, "the admitted jobs finish")
        #expect(try await load.report(rounds: 1).status == 200, "the pool takes work again")
        let scrape = try await MetricsScrape.fetch(port: load.port)
        #expect(scrape.sum("fleet_offload_rejected_total") == 1)
        #expect(self.jobs(scrape, "queued") == 0 && self.jobs(scrape, "running") == 0)
        fleet.signal(SIGTERM)
        #expect(try await fleet.exitStatus() == 0)
    }

    @Test func aClientThatHangsUpWhileQueuedCostsNoWork() async throws {
        let (fleet, load, state) = try await self.serve(["OFFLOAD_THREADS": "1", "OFFLOAD_QUEUE": "4"])
        defer { try? FileManager.default.removeItem(atPath: state) }
        let rounds = try await load.rounds(for: .seconds(1))
        let started = try await MetricsScrape.fetch(port: load.port).sum("fleet_offload_wait_duration_seconds_count") ?? 0
        async let first = load.report(rounds: rounds)
        _ = try await self.waitFor(load.port, "one job running") { self.jobs($0, "running") == 1 }
        // Two clients send a report, wait until both are queued, and hang up.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                let connection = try await RawHTTPConnection.connect(port: load.port)
                group.addTask {
                    try await connection.channel.executeThenClose { _, outbound in
                        try await outbound.write(ByteBuffer(string: load.request(rounds: rounds)))
                        _ = try await self.waitFor(load.port, "two jobs queued") { self.jobs($0, "queued") == 2 }
                    }
                }
            }
            try await group.waitForAll()
        }
        let next = try await load.report(rounds: 1)
        #expect(next.status == 200)
        #expect(try await first.status == 200)
        let scrape = try await self.waitFor(load.port, "two cancelled jobs") { $0.sum("fleet_offload_cancelled_total") == 2 }
        let ran = (scrape.sum("fleet_offload_wait_duration_seconds_count") ?? 0) - started
        #expect(ran == 2, "only the first report and the next one ran, not the two abandoned ones")
        #expect(self.jobs(scrape, "queued") == 0)
        fleet.signal(SIGTERM)
        #expect(try await fleet.exitStatus() == 0)
    }
}
