import Foundation
import Testing

/// The worker link's ends: a worker outlives no supervisor, and a worker
/// stopped before it was handed the socket does not wait for it.
@Suite(.serialized) struct SupervisorLinkTests {
    @Test func theWorkersOfASupervisorKilledWithSIGKILLDrainAndExit() async throws {
        let fleet = try await SupervisorTests().start(instances: 2, worker: [FleetProcess.testWorker])
        let pids = try await fleet.workers().compactMap { ($0["pid"] as? Int).map { pid_t($0) } }
        #expect(pids.count == 2)
        // A request in flight for 2 s when the supervisor dies: its worker drains it, then exits.
        let inFlight = Task {
            try await RawHTTPConnection.connect(port: fleet.port).exchange(sending: "GET /slow?ms=2000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        }
        try await Task.sleep(for: .milliseconds(300))
        fleet.supervisor.signal(SIGKILL)
        let orphans = try await Self.waitUntilGone(pids)
        let answer = try await inFlight.value
        #expect(answer.status == 200, "the request in flight was answered: \(answer)")
        #expect(Self.canBind(port: fleet.port), "nobody listens on port \(fleet.port) any more")
        await Self.end(orphans, of: fleet.supervisor)
    }

    /// The same for `fleet work` job workers (no port, `SupervisedWorker`) beside an API worker:
    /// the jobs they are running when the supervisor dies are finished, not cut off (as they
    /// were while a job worker did not read its link).
    @Test func theJobWorkersOfASupervisorKilledWithSIGKILLFinishTheirJobsAndExit() async throws {
        let fleet = try await JobFleet.start(workers: 2, environment: ["JOBS_POLL": "100ms"])
        let pids = try await fleet.workers().compactMap { ($0["pid"] as? Int).map { pid_t($0) } }
        #expect(pids.count == 2)
        let run = UUID().uuidString.prefix(8)
        for index in 1...2 {
            _ = try await fleet.credit(account: "orphan-\(run)", amount: index, key: "\(run)-\(index)", workMilliseconds: 2000)
        }
        try await Task.sleep(for: .milliseconds(700))
        fleet.supervisor.signal(SIGKILL)
        let orphans = try await Self.waitUntilGone(pids)
        #expect(Self.canBind(port: fleet.port), "nobody listens on the API's port \(fleet.port) any more")
        #expect(try await fleet.ledger().keys.filter { $0.hasPrefix(run) }.count == 2, "the jobs in flight were finished")
        await Self.end(orphans, of: fleet.supervisor)
    }

    /// Waits up to 10 s for every worker of a killed supervisor to exit; those still running.
    static func waitUntilGone(_ pids: [pid_t]) async throws -> [pid_t] {
        let killed = ContinuousClock.now
        while pids.contains(where: Self.isRunning), ContinuousClock.now - killed < .seconds(10) {
            try await Task.sleep(for: .milliseconds(50))
        }
        let orphans = pids.filter(Self.isRunning)
        #expect(orphans.isEmpty, "every worker exits within 10 s of its supervisor's SIGKILL; still running: \(orphans)")
        print("the workers of a SIGKILLed supervisor were gone after \(ContinuousClock.now - killed)")
        return orphans
    }

    /// Kills what a failed check left running (ours: the supervisor that started them is dead) and reaps the supervisor.
    static func end(_ orphans: [pid_t], of supervisor: FleetProcess) async {
        orphans.forEach { kill($0, SIGKILL) }
        // Foundation's Process may see the exit only once descriptors it passed on to the workers close.
        _ = try? await supervisor.exitStatus(timeout: .seconds(10))
    }

    /// The supervisor gives up on a worker that takes longer than `--ready-timeout` to
    /// prepare and never tells it to accept: a deterministic way to stop a worker in the
    /// window between `prepared` and `accept`. With a 60 s `--stop-timeout`, a stop within
    /// 10 s means the worker exited on its own rather than by the SIGKILL 60 s later
    /// (10 s leaves room for a loaded machine; the exit itself takes well under 1 s).
    @Test func aWorkerStoppedBeforeItWasToldToAcceptExitsAtOnce() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-link-\(UUID().uuidString)").path
        let name = "t\(UInt16.random(in: 1000...9999))"
        let supervisor = try FleetProcess(
            ["start", "--name", name, "--state-dir", state, "-i", "1", "--port", "0", "--ready-timeout", "1s", "--stop-timeout", "60s", FleetProcess.testWorker],
            environment: ["FLEET_STATE_DIR": state, "LOG_FORMAT": "json", "TEST_PREPARE_MS": "2000"]
        )
        _ = try await supervisor.listeningPort()
        let prepared = ContinuousClock.now
        var isWaiting = false
        while !isWaiting, ContinuousClock.now - prepared < .seconds(30) {
            isWaiting = Self.logMessages(state: state, name: name).contains("prepared")
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(isWaiting, "the worker prepared after the supervisor stopped waiting for it")
        try await Task.sleep(for: .milliseconds(200))

        let stopped = ContinuousClock.now
        supervisor.signal(SIGTERM)
        #expect(try await supervisor.exitStatus(timeout: .seconds(90)) == 0)
        let took = ContinuousClock.now - stopped
        #expect(took < .seconds(10), "the stop took \(took), not the 60 s stop timeout")
        #expect(!supervisor.jsonLines.contains { $0["message"] as? String == "worker did not drain in time, killing it" })
        let exit = supervisor.jsonLines.first { $0["message"] as? String == "worker stopped" }?["worker.exit"] as? String
        #expect(exit == "exit code 0", "the worker exited by itself: \(exit ?? "no exit logged")")
        print("a worker stopped before it was told to accept: the stop took \(took)")
    }

    /// True while `pid` runs (a zombie has exited; nobody may reap an orphan here).
    static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let state = stat.split(separator: ")").last?.split(separator: " ").first
        else { return false }
        return state != "Z" && state != "X"
    }

    /// True when a socket can bind the loopback `port` (`SO_REUSEADDR` passes connections in TIME_WAIT, not a listener).
    static func canBind(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var on: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// The messages of the fleet's log file, which holds its workers' output.
    static func logMessages(state: String, name: String) -> [String] {
        let log = (try? String(contentsOfFile: "\(state)/logs/\(name).log", encoding: .utf8)) ?? ""
        return log.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["message"] as? String
        }
    }
}
