#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// Background jobs end to end: the demo API enqueues, `fleet work` processes
/// under the supervisor, on the embedded SQLite queue and on Redis.
@Suite(.serialized) struct JobProcessTests {
    /// SIGKILL one worker while it holds jobs: every job still completes, and the
    /// ledger holds each idempotency key once with the right amount.
    func jobsSurviveAWorkerKilledMidJob(environment: [String: String]) async throws {
        let fleet = try await JobFleet.start(workers: 2, environment: ["JOBS_VISIBILITY": "2s", "JOBS_POLL": "500ms"].merging(environment) { $1 })
        let run = UUID().uuidString.prefix(8)
        var ids: [String] = []
        for index in 1...24 {
            ids.append(try await fleet.credit(account: "acct-\(run)", amount: index, key: "\(run)-\(index)", workMilliseconds: 1000))
        }
        let again = try await fleet.credit(account: "acct-\(run)", amount: 1, key: "\(run)-1", workMilliseconds: 1000)
        #expect(again == ids[0], "enqueueing an idempotency key twice gives the first job")

        // Kill a worker once both hold jobs: more are active than one worker's JOBS_CONCURRENCY (4).
        let deadline = ContinuousClock.now + .seconds(30)
        var active = 0
        while ContinuousClock.now < deadline, active <= 4 {
            active = 0
            for id in ids where try await fleet.status(id)["state"] as? String == "active" { active += 1 }
        }
        #expect(active > 4, "both workers took jobs")
        let victim = try #require(try await fleet.workers().first?["pid"] as? Int)
        #expect(kill(pid_t(victim), SIGKILL) == 0)

        let statuses = try await fleet.waitForCompletion(ids)
        #expect(statuses.count == 24 && statuses.allSatisfy { $0["state"] as? String == "completed" }, "none lost, none stuck")
        let retried = statuses.filter { ($0["attempts"] as? Int ?? 0) >= 2 }
        #expect(!retried.isEmpty, "the killed worker's jobs were delivered again")
        let ledger = try await fleet.ledger()
        let expected = Dictionary(uniqueKeysWithValues: (1...24).map { ("\(run)-\($0)", $0) })
        #expect(ledger.count == 24, "one effect per idempotency key")
        #expect(ledger.mapValues(\.amount) == expected, "each credit applied once, with its own amount")
        let last = try await fleet.status(ids[23])
        #expect((last["result"] as? [String: Any])?["account"] as? String == "acct-\(run)")
        try await fleet.stop()
    }

    @Test func sqliteJobsSurviveAWorkerKilledMidJob() async throws {
        try await self.jobsSurviveAWorkerKilledMidJob(environment: [:])
    }

    @Test(.enabled(if: RedisTestServer.enabled)) func redisJobsSurviveAWorkerKilledMidJob() async throws {
        let url = try #require(RedisTestServer.url, "CI=true but REDIS_URL is not set")
        try await self.jobsSurviveAWorkerKilledMidJob(environment: ["REDIS_URL": url])
    }

    /// A backlog grows the worker app to its maximum; once no job waits, after the
    /// stabilization window, it shrinks back to its minimum. A stop while that
    /// scale-down still waits for its draining workers returns at once.
    @Test func theAutoscalerFollowsTheBacklog() async throws {
        let fleet = try await JobFleet.start(
            workers: 1,
            environment: ["JOBS_POLL": "500ms", "JOBS_CONCURRENCY": "2", "JOBS_SHUTDOWN_DEADLINE": "15s"],
            jobs: """
                    min_instances: 1
                    max_instances: 3
                    jobs_per_instance: 5
                    scale_down_window: 3s
                """
        )
        let run = UUID().uuidString.prefix(8)
        var ids: [String] = []
        for index in 1...40 {
            ids.append(try await fleet.credit(account: "scale-\(run)", amount: 1, key: "\(run)-\(index)", workMilliseconds: 250))
        }
        // Then a job per worker slot (3 workers of 2) that outlasts the test: each worker holds two when the queue empties.
        for index in 1...6 {
            _ = try await fleet.credit(account: "long-\(run)", amount: 1, key: "\(run)-long-\(index)", workMilliseconds: 60_000)
        }
        try await fleet.waitForWorkers("the backlog scales the workers to 3", timeout: .seconds(30)) { $0.count == 3 }
        let pids = try await fleet.workers().compactMap { $0["pid"] as? Int }
        _ = try await fleet.waitForCompletion(ids)
        try await fleet.waitForWorkers("the empty queue scales them back to 1", timeout: .seconds(30)) { $0.count == 1 }
        #expect((try await fleet.ledger()).count == 40, "scaling lost no job and doubled none")

        // The two removed workers drain their long jobs for up to JOBS_SHUTDOWN_DEADLINE: the scale-down waits for them.
        let kept = try #require(try await fleet.workers().first?["pid"] as? Int)
        let draining = pids.filter { $0 != kept && kill(pid_t($0), 0) == 0 }
        #expect(!draining.isEmpty, "the scale-down is still waiting for its workers (\(pids), kept \(kept))")
        // Leave the kept worker idle (its restart holds none of the long jobs, claimed for 30 s): a stop now
        // ends it at once, and only the scale-down's workers are left to wait for.
        #expect(kill(pid_t(kept), SIGKILL) == 0)
        try await fleet.waitForWorkers("the kept worker restarted", timeout: .seconds(10)) {
            $0.count == 1 && $0[0]["pid"] as? Int != kept && $0[0]["status"] as? String == "online"
        }
        try await fleet.stop(within: .seconds(30))
        #expect(draining.allSatisfy { kill(pid_t($0), 0) != 0 }, "the stop waited for the scale-down's workers instead of leaving them")
    }

    /// SIGTERM with a short deadline: the worker gives its unfinished jobs back at
    /// once (no visibility timeout to wait out), and the other worker finishes them.
    @Test func aStoppedWorkerReturnsItsUnfinishedJobs() async throws {
        // A visibility far longer than the test: only a release can hand the jobs over in time.
        let fleet = try await JobFleet.start(
            workers: 2, environment: ["JOBS_VISIBILITY": "10m", "JOBS_POLL": "500ms", "JOBS_SHUTDOWN_DEADLINE": "500ms"]
        )
        let run = UUID().uuidString.prefix(8)
        var ids: [String] = []
        for index in 1...8 {
            ids.append(try await fleet.credit(account: "stop-\(run)", amount: index, key: "\(run)-\(index)", workMilliseconds: 3000))
        }
        try await Task.sleep(for: .seconds(1))
        let victim = try #require(try await fleet.workers().first?["pid"] as? Int)
        #expect(kill(pid_t(victim), SIGTERM) == 0)
        let statuses = try await fleet.waitForCompletion(ids, timeout: .seconds(60))
        #expect(statuses.allSatisfy { $0["state"] as? String == "completed" })
        let log = try String(contentsOfFile: "\(fleet.state)/logs/jobs.log", encoding: .utf8)
        #expect(log.contains("released unfinished jobs"), "the stopped worker gave its jobs back")
        #expect((try await fleet.ledger()).count == 8)
        try await fleet.stop()
    }

    /// `fleet save` writes a worker app back as it was declared (no port, its autoscaling keys), and
    /// `fleet list` says it has no port.
    @Test func saveAndListKnowAnAppWithNoPort() async throws {
        let fleet = try await JobFleet.start(
            workers: 1, environment: [:], jobs: "    min_instances: 1\n    max_instances: 3\n    jobs_per_instance: 5\n    scale_down_window: 3s"
        )
        let save = try FleetProcess(["save", "--state-dir", fleet.state], environment: [:])
        #expect(try await save.exitStatus() == 0, "\(save.lines)")
        let saved = try String(contentsOfFile: "\(fleet.state)/saved.yaml", encoding: .utf8)
        let jobs = try #require(saved.components(separatedBy: "- ").first { $0.contains("name: jobs") }, "\(saved)")
        for line in ["port: none", "min_instances: 1", "max_instances: 3", "jobs_per_instance: 5", "scale_down_window: 3000ms"] {
            #expect(jobs.contains(line), "saved.yaml's jobs app: \(jobs)")
        }
        let list = try FleetProcess(["list", "--name", "jobs", "--state-dir", fleet.state], environment: [:])
        #expect(try await list.exitStatus() == 0)
        #expect(list.lines.contains { $0.hasPrefix("no port, supervisor pid") }, "\(list.lines)")
        try await fleet.stop()
    }

    @Test func badJobInputNamesTheField() async throws {
        let fleet = try await JobFleet.start(workers: 1, environment: [:])
        let cases: [(String, String)] = [
            (#"{"payload":{}}"#, "name"),
            (#"{"name":"nosuchjob"}"#, "name"),
            (#"{"name":"echo","priority":"urgent"}"#, "priority"),
            (#"{"name":"echo","delay_ms":-1}"#, "delay_ms"),
            (#"{"name":"echo","delay_ms":true}"#, "delay_ms"),
            (#"{"name":"echo","delay_ms":1.5}"#, "delay_ms"),
            (#"{"name":"echo","idempotency_key":""}"#, "idempotency_key"),
            (#"{"name":"credit","payload":{"account":"a"}}"#, "payload"),
            (#"{"name":"credit","payload":{"account":"","amount":1}}"#, "payload.account"),
        ]
        for (body, field) in cases {
            let response = try await fleet.post(body)
            #expect(response.status == 422 || response.status == 400, "\(body): \(response.status)")
            let problem = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
            #expect(problem?["field"] as? String == field, "\(body): \(response.body)")
        }
        let missing = try await RawHTTPConnection.connect(port: fleet.port).exchange(sending: "GET /jobs/nosuchjob HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(missing.status == 404)
        let echo = try await fleet.post(#"{"name":"echo","payload":{"hello":"jobs"},"priority":"high","delay_ms":100}"#)
        #expect(echo.status == 202)
        let id = try #require(echo.location.map { String($0.dropFirst("/jobs/".count)) })
        let done = try await fleet.waitForCompletion([id])
        #expect((done.first?["result"] as? [String: Any])?["hello"] as? String == "jobs")
        try await fleet.stop()
    }
}
