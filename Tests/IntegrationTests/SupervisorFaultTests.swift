import Foundation
import Testing

/// The supervisor under faults, with wrk for load: a worker killed mid-load,
/// a worker that leaks memory.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") || ProcessInfo.processInfo.environment["CI"] == "true"))
struct SupervisorFaultTests {
    @Test func aKilledWorkerOfFourIsBackWithinASecondAndOnlyItsRequestsFail() async throws {
        let fleet = try await SupervisorTests().start(instances: 4, worker: [FleetProcess.testWorker])
        let load = try Wrk.start(port: fleet.port, path: "/hello", connections: 32, seconds: 6)
        try await Task.sleep(for: .seconds(2))
        let workers = try await fleet.workers()
        let victim = try #require(workers.first)
        let victimPID = try #require(victim["pid"] as? Int)
        let inFlight = try #require(victim["connections"] as? Int)
        #expect(inFlight > 0, "wrk's connections are spread over the workers: \(workers)")

        let killed = ContinuousClock.now
        kill(pid_t(victimPID), SIGKILL)
        var backAfter: Duration?
        while backAfter == nil, ContinuousClock.now - killed < .seconds(10) {
            let ready = fleet.supervisor.jsonLines.contains { line in
                line["message"] as? String == "worker ready" && line["worker.instance"] as? String == "0"
                    && (line["worker.pid"] as? String).flatMap(Int.init).map { $0 > victimPID } == true
            }
            if ready { backAfter = ContinuousClock.now - killed }
            try await Task.sleep(for: .milliseconds(10))
        }
        let back = try #require(backAfter, "the worker came back")
        #expect(back < .seconds(1), "back and ready within 1 s, took \(back)")
        print("a killed worker of 4 was back and ready after \(back); it held \(inFlight) connections")

        let report = Wrk.report(load)
        #expect(Wrk.socketErrors(report) <= inFlight, "only the killed worker's in-flight requests fail (it held \(inFlight)): \(report)")
        #expect(!report.contains("Non-2xx"), "\(report)")
        let after = try await fleet.workers()
        #expect(after.count == 4 && after.allSatisfy { $0["status"] as? String == "online" })
        #expect(after.dropFirst().map { $0["pid"] as? Int } == workers.dropFirst().map { $0["pid"] as? Int }, "the other three kept serving")
        try await fleet.stop()
    }

    @Test func maxMemoryRecyclesALeakingWorkerWithNoFailedRequest() async throws {
        let fleet = try await SupervisorTests().start(instances: 2, extra: ["--max-memory", "96M"], worker: [FleetProcess.testWorker])
        let before = try await fleet.workers()
        let load = try Wrk.start(port: fleet.port, path: "/hello", connections: 8, seconds: 8)
        try await Task.sleep(for: .seconds(1))
        // 8 × 32 MiB, spread over both workers by the kernel: each passes 96 MiB at least once.
        for _ in 0..<8 {
            let response = try await RawHTTPConnection.connect(port: fleet.port).exchange(sending: "GET /leak?kb=32768 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(response.status == 200)
        }
        try await fleet.waitUntil("a leaking worker is recycled", timeout: .seconds(10)) { workers in
            workers.contains { ($0["recycles"] as? Int ?? 0) > 0 } && workers.allSatisfy { $0["status"] as? String == "online" }
        }
        let report = Wrk.report(load)
        #expect(Wrk.socketErrors(report) == 0, "\(report)")
        #expect(!report.contains("Non-2xx"), "\(report)")
        let after = try await fleet.workers()
        let recycled = after.filter { ($0["recycles"] as? Int ?? 0) > 0 }
        #expect(!recycled.isEmpty)
        #expect(recycled.allSatisfy { worker in !before.contains { $0["pid"] as? Int == worker["pid"] as? Int } }, "a recycled slot runs a new process")
        #expect(after.allSatisfy { ($0["memoryBytes"] as? Int ?? .max) < 96 << 20 }, "every worker is back under the limit: \(after)")
        #expect(after.allSatisfy { $0["restarts"] as? Int == 0 }, "a recycle is not a crash")
        try await fleet.stop()
    }
}
