#if canImport(Glibc)
import Glibc
#endif
import FleetState
import Foundation
import Logging
import SQLiteNIO
import Testing

/// A fleet from a fleet.yaml with the demo API (`api`, on a port) and job workers
/// (`jobs`, `fleet work` on no port), sharing one state directory, as a user runs them.
struct JobFleet {
    let supervisor: FleetProcess
    let port: Int
    let state: String

    /// Starts the fleet; `jobs` holds the worker app's extra fleet.yaml lines.
    static func start(workers: Int, environment: [String: String], jobs: String = "") async throws -> JobFleet {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-jobs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let config = "\(state)/fleet.yaml"
        try """
            apps:
              - name: api
                script: \(FleetProcess.binary)
                args: [serve]
                port: 0
              - name: jobs
                script: \(FleetProcess.binary)
                args: [work]
                port: none
                instances: \(workers)
                stop_timeout: 30s
            \(jobs)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        // The embedded queue unless the test names a Redis (CI sets REDIS_URL for every test); a queue of its own either way.
        var env = [
            "FLEET_STATE_DIR": state, "DATABASE_URL": "", "REDIS_URL": "", "JOBS_QUEUE": "test-\(UUID().uuidString.prefix(8))", "LOG_FORMAT": "json", "PORT": "0",
        ]
        env.merge(environment) { $1 }
        let supervisor = try FleetProcess(["start", "--config", config, "--state-dir", state], environment: env)
        let fleet = JobFleet(supervisor: supervisor, port: try await supervisor.listeningPort(), state: state)
        try await fleet.waitForWorkers("the job workers are online") { $0.count == workers && $0.allSatisfy { $0["status"] as? String == "online" } }
        return fleet
    }

    /// `fleet list` of the job workers.
    func workers() async throws -> [[String: Any]] {
        let listed = try await self.listWorkers()
        return try #require(listed, "fleet list --name jobs failed")
    }

    /// `fleet list` of the job workers; nil while the jobs supervisor does not answer yet (its control
    /// socket opens a moment after the api's port, which `start` waits for).
    func listWorkers() async throws -> [[String: Any]]? {
        let command = try FleetProcess(["list", "--name", "jobs", "--json", "--state-dir", self.state], environment: [:])
        guard try await command.exitStatus(timeout: .seconds(60)) == 0 else { return nil }
        let document = try JSONSerialization.jsonObject(with: Data(command.lines.joined().utf8)) as? [String: Any]
        return document?["workers"] as? [[String: Any]]
    }

    func waitForWorkers(_ description: String, timeout: Duration = .seconds(60), _ condition: ([[String: Any]]) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        var last: [[String: Any]]?
        while ContinuousClock.now < deadline {
            last = try await self.listWorkers()
            if let last, condition(last) { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting until \(description): \(last.map { "\($0)" } ?? "fleet list failed")")
    }

    /// `POST /jobs` with `body`; returns the status, the Location header and the body.
    func post(_ body: String) async throws -> (status: Int, location: String?, body: String) {
        let request = "POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let response = try await RawHTTPConnection.connect(port: self.port).exchangeWithHeaders(sending: request)
        return (response.status, response.headers.first { $0.name == "location" }?.value, response.body)
    }

    /// Enqueues a credit job and returns its id.
    func credit(account: String, amount: Int, key: String, workMilliseconds: Int) async throws -> String {
        let response = try await self.post(
            #"{"name":"credit","idempotency_key":"\#(key)","payload":{"account":"\#(account)","amount":\#(amount),"work_ms":\#(workMilliseconds)}}"#
        )
        #expect(response.status == 202, "\(response.body)")
        let location = try #require(response.location)
        return String(location.dropFirst("/jobs/".count))
    }

    /// `GET /jobs/:id` as JSON.
    func status(_ id: String) async throws -> [String: Any] {
        let response = try await RawHTTPConnection.connect(port: self.port).exchange(sending: "GET /jobs/\(id) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(response.status == 200, "\(response.body)")
        return try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])
    }

    /// Waits until every job in `ids` is completed; the statuses then.
    func waitForCompletion(_ ids: [String], timeout: Duration = .seconds(90)) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + timeout
        var statuses: [[String: Any]] = []
        while ContinuousClock.now < deadline {
            statuses = []
            for id in ids { statuses.append(try await self.status(id)) }
            if statuses.allSatisfy({ $0["state"] as? String == "completed" }) { return statuses }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("jobs not completed in time: \(statuses.filter { $0["state"] as? String != "completed" })")
        return statuses
    }

    /// The credit ledger's rows in the demo's SQLite file: key -> (amount, deliveries).
    func ledger() async throws -> [String: (amount: Int, deliveries: Int)] {
        let connection = try await SharedSQLite.open(path: "\(self.state)/demo.sqlite", count: 1, logger: Logger(label: "fleet-test"))[0]
        let result = try await connection.query("SELECT idempotency_key, amount, deliveries FROM job_credits")
        try await connection.close()
        var rows: [String: (amount: Int, deliveries: Int)] = [:]
        for row in result {
            guard let key = row.column("idempotency_key")?.string, let amount = row.column("amount")?.integer,
                let deliveries = row.column("deliveries")?.integer
            else { continue }
            rows[key] = (amount, deliveries)
        }
        return rows
    }

    /// SIGTERM, and the fleet must exit with 0 `within` that time.
    func stop(within timeout: Duration = .seconds(90)) async throws {
        self.supervisor.signal(SIGTERM)
        #expect(try await self.supervisor.exitStatus(timeout: timeout) == 0)
        try? FileManager.default.removeItem(atPath: self.state)
    }
}
