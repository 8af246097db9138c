import Foundation
import Testing

/// `fleet start` as a user runs it: a supervisor process, real workers, real signals, wrk for load.
@Suite(.serialized) struct SupervisorTests {
    struct Fleet {
        let supervisor: FleetProcess
        let port: Int
        let name: String
        let state: String

        func control(_ arguments: [String]) async throws -> (status: Int32, output: String) {
            let command = try FleetProcess(arguments + ["--state-dir", self.state], environment: [:])
            let status = try await command.exitStatus(timeout: .seconds(120))
            return (status, command.lines.joined(separator: "\n"))
        }

        func workers() async throws -> [[String: Any]] {
            let (status, output) = try await self.control(["list", "--name", self.name, "--json"])
            #expect(status == 0, "fleet list: \(output)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            return try #require(document["workers"] as? [[String: Any]])
        }

        func waitUntil(_ description: String, timeout: Duration = .seconds(30), _ condition: ([[String: Any]]) -> Bool) async throws {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if condition(try await self.workers()) { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            Issue.record("timed out waiting until \(description): \(try await self.workers())")
        }

        func stop() async throws {
            self.supervisor.signal(SIGTERM)
            #expect(try await self.supervisor.exitStatus(timeout: .seconds(60)) == 0)
        }
    }

    func start(
        instances: Int,
        workerEnvironment: [String: String] = [:],
        extra: [String] = [],
        worker: [String] = [FleetProcess.binary, "serve"]
    ) async throws -> Fleet {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-sup-\(UUID().uuidString)").path
        let name = "t\(UInt16.random(in: 1000...9999))"
        var environment = ["FLEET_STATE_DIR": state, "DATABASE_URL": "", "LOG_FORMAT": "json"]
        environment.merge(workerEnvironment) { $1 }
        let supervisor = try FleetProcess(
            ["start", "--name", name, "--state-dir", state, "-i", "\(instances)", "--port", "0"] + extra + worker,
            environment: environment
        )
        let port = try await supervisor.listeningPort()
        let fleet = Fleet(supervisor: supervisor, port: port, name: name, state: state)
        try await fleet.waitUntil("\(instances) workers are online") { workers in
            workers.count == instances && workers.allSatisfy { $0["status"] as? String == "online" }
        }
        return fleet
    }

    @Test func workersShareOneSocketAndReportReady() async throws {
        let fleet = try await self.start(instances: 2)
        let workers = try await fleet.workers()
        #expect(Set(workers.compactMap { $0["pid"] as? Int }).count == 2)
        #expect(workers.map { $0["instance"] as? Int } == [0, 1])
        for _ in 0..<40 {
            let response = try await RawHTTPConnection.connect(port: fleet.port).exchange(sending: "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(response.status == 200)
        }
        let pids = Set(workers.compactMap { $0["pid"] as? Int })
        let log = try String(contentsOfFile: "\(fleet.state)/logs/\(fleet.name).log", encoding: .utf8)
        let servedBy = Set(log.split(separator: "\n").compactMap { line -> Int? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], object["url.path"] as? String == "/health/live" else { return nil }
            return object["pid"] as? Int
        })
        #expect(servedBy.isSubset(of: pids), "requests are served by the workers, logged to the fleet's log file")
        #expect(!servedBy.isEmpty)

        let (status, output) = try await fleet.control(["logs", "--name", fleet.name, "--lines", "5", "--json"])
        #expect(status == 0, "fleet logs: \(output)")
        let printed = output.split(separator: "\n")
        #expect(printed.count == 5, "the last 5 lines: \(output)")
        #expect(printed.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil })
        let (missing, missingOutput) = try await fleet.control(["logs", "--name", "nosuchapp"])
        #expect(missing != 0)
        #expect(missingOutput.contains("no log at"))
        try await fleet.stop()
    }

    @Test func aCrashedWorkerComesBack() async throws {
        let fleet = try await self.start(instances: 2)
        let before = try await fleet.workers()
        let victim = try #require(before.first?["pid"] as? Int)
        kill(pid_t(victim), SIGKILL)
        try await fleet.waitUntil("the worker is replaced and online", timeout: .seconds(10)) { workers in
            workers.count == 2 && workers.allSatisfy { $0["status"] as? String == "online" } && !workers.contains { $0["pid"] as? Int == victim }
        }
        let after = try await fleet.workers()
        #expect(after[0]["restarts"] as? Int == 1)
        #expect((after[0]["lastExit"] as? String)?.hasPrefix("signal 9") == true)
        try await fleet.stop()
    }

    @Test func aWorkerThatCannotStartIsMarkedErrored() async throws {
        // An unparsable PORT makes every `fleet serve` exit at once with code 78.
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-sup-\(UUID().uuidString)").path
        let supervisor = try FleetProcess(
            ["start", "--name", "crashy", "--state-dir", state, "-i", "1", "--port", "0", "--max-restarts", "3", FleetProcess.binary, "serve"],
            environment: ["FLEET_STATE_DIR": state, "BODY_LIMIT": "lots"]
        )
        _ = try await supervisor.listeningPort()
        let fleet = Fleet(supervisor: supervisor, port: 0, name: "crashy", state: state)
        try await fleet.waitUntil("the app is errored", timeout: .seconds(20)) { workers in
            workers.first?["status"] as? String == "errored"
        }
        let worker = try #require(try await fleet.workers().first)
        #expect((worker["lastExit"] as? String)?.contains("exit code 78") == true)
        #expect((worker["lastExit"] as? String)?.contains("BODY_LIMIT") == true, "the last lines of output say why")
        #expect(worker["restarts"] as? Int == 3, "three unstable starts, then no more")
        #expect(supervisor.process.isRunning, "the supervisor stays up")
        try await fleet.stop()
    }

    @Test func scaleUpAndDownLive() async throws {
        let fleet = try await self.start(instances: 1)
        let (up, upOutput) = try await fleet.control(["scale", fleet.name, "+2"])
        #expect(up == 0, "\(upOutput)")
        try await fleet.waitUntil("3 workers are online") { $0.count == 3 && $0.allSatisfy { $0["status"] as? String == "online" } }
        let (down, downOutput) = try await fleet.control(["scale", fleet.name, "1"])
        #expect(down == 0, "\(downOutput)")
        #expect(try await fleet.workers().count == 1)
        let (bad, badOutput) = try await fleet.control(["scale", fleet.name, "lots"])
        #expect(bad != 0)
        #expect(badOutput.contains("count must be a number, +N or -N"))
        try await fleet.stop()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") || ProcessInfo.processInfo.environment["CI"] == "true"))
    func tenReloadsUnderLoadFailNoRequest() async throws {
        let fleet = try await self.start(instances: 2)
        let created = try await RawHTTPConnection.connect(port: fleet.port).exchange(
            sending: "POST /users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 42\r\nConnection: close\r\n\r\n{\"name\":\"load\",\"email\":\"load@example.com\"}"
        )
        #expect(created.status == 201)
        let load = try Wrk.start(port: fleet.port, path: "/users/1", connections: 16, seconds: 20)
        try await Task.sleep(for: .seconds(1))
        let before = Set(try await fleet.workers().compactMap { $0["pid"] as? Int })
        for round in 1...10 {
            let (status, text) = try await fleet.control(["reload", "--name", fleet.name])
            #expect(status == 0, "reload \(round): \(text)")
        }
        // wrk ignores SIGINT from Foundation's Process, so it runs its fixed 20 s, which outlasts the reloads.
        let report = Wrk.report(load)
        let after = Set(try await fleet.workers().compactMap { $0["pid"] as? Int })
        #expect(before.isDisjoint(with: after), "every worker was replaced")
        let requests = report.split(separator: "\n").first { $0.contains("requests in") }
        #expect(requests != nil, "wrk report: \(report)")
        #expect(!report.contains("Socket errors"), "no connect, read, write or timeout error: \(report)")
        #expect(!report.contains("Non-2xx"), "every response was a 200: \(report)")
        try await fleet.stop()
    }
}
