import ArgumentParser
import FleetDemo
import FleetHTTP
import FleetLoad
import FleetSupervisor
import Foundation
import Logging

/// `fleet demo`: the whole playbook on one machine with nothing installed.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the demo API as a fleet on embedded state, load it, reload it mid-run, and report.",
        discussion: "Starts 2 workers on one port (embedded SQLite, no servers), seeds users, drives an open-model load at them, rolls a reload through the fleet mid-run, then measures capacity and prints what it saw."
    )

    @Option(help: "Requests per second during the run.") var rate: Double = 2000
    @Option(help: "How long the run lasts, e.g. 20s.") var duration: String = "20s"
    @Option(name: [.customShort("i"), .long], help: "Workers.") var instances: Int = 2
    @Option(help: "The peak rate to plan instances for.") var peak: Double = 20000
    @Option(help: "The p99 latency the plan must hold, e.g. 100ms.") var slo: String = "100ms"

    func validate() throws {
        guard self.rate > 0, self.rate <= 1_000_000 else { throw ValidationError("--rate must be from 1 to 1000000, not \(self.rate)") }
        guard (1...64).contains(self.instances) else { throw ValidationError("--instances must be from 1 to 64, not \(self.instances)") }
        guard self.peak > 0 else { throw ValidationError("--peak must be positive, not \(self.peak)") }
        _ = try Start.duration(self.duration, flag: "--duration")
        _ = try Start.duration(self.slo, flag: "--slo")
    }

    func run() async throws {
        var logging = FleetConfiguration()
        logging.logFormat = .text
        logging.logLevel = .warning
        logging.bootstrapLogging()
        let duration = try Start.duration(self.duration, flag: "--duration")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-demo-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: state) }

        let seeded = try await DemoSeed.users(count: 1000, stateDirectory: state)
        print("fleet demo: \(self.instances) workers on embedded SQLite (\(seeded) users seeded in \(state))")

        var app = AppConfiguration(executable: Self.ownExecutable())
        app.name = "demo"
        app.arguments = ["serve"]
        app.instances = self.instances
        app.port = 0
        app.stateDirectory = state
        app.echoOutput = false
        app.environment = Start.workerEnvironment().merging(
            // The load comes from one address at thousands of requests a second: a limit high enough
            // never to refuse it keeps the limiter on every request, so the figures include its cost.
            ["FLEET_STATE_DIR": state, "DATABASE_URL": "", "REDIS_URL": "", "LOG_FORMAT": "json", "LOG_LEVEL": "info", "RATE_LIMIT": "1000000000/1s"]
        ) { $1 }
        let supervisor = Supervisor(configuration: app, logger: Logger(label: "fleet.demo"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await supervisor.run() }
            defer { group.cancelAll() }
            let port = try await Self.waitForOnline(supervisor, instances: self.instances)
            print("fleet demo: listening on http://127.0.0.1:\(port), workers online")
            let report = try await self.drive(port: port, duration: duration, supervisor: supervisor)
            try await Task.sleep(for: .milliseconds(300))  // the last access lines reach the log file
            let shares = DemoShares.read(logFile: "\(state)/logs/demo.log")
            let capacity = try await self.probeCapacity(port: port)
            await supervisor.stop()
            try await group.next()
            print(DemoSummary(report: report.load, reloadSeconds: report.reloadSeconds, capacity: capacity, shares: shares,
                              instances: self.instances, peak: self.peak, slo: try Start.duration(self.slo, flag: "--slo")).text)
            if report.load.errors > 0 { throw ExitCode(1) }
        }
    }

    func drive(port: Int, duration: Duration, supervisor: Supervisor) async throws -> (load: LoadReport, reloadSeconds: Double?) {
        let load = LoadTest(configuration: LoadConfiguration(
            target: try Target(url: "http://127.0.0.1:\(port)/users/1"),
            requests: [RequestSpec(name: "GET /users/:id", path: "/users/{rand:1-1000}")],
            model: .constantRate(self.rate, duration: duration),
            connections: 64,
            checks: Checks(statuses: [200])
        ))
        print("fleet demo: \(Int(self.rate)) requests/s for \(self.duration), reloading every worker at 40% of the run")
        return try await withThrowingTaskGroup(of: (LoadReport?, Double?).self) { group in
            group.addTask { (try await load.run(), nil) }
            group.addTask {
                try await Task.sleep(for: duration * 0.4)
                let took = try await supervisor.reload()
                return (nil, took.seconds)
            }
            var report: LoadReport?
            var reload: Double?
            for try await (finished, seconds) in group {
                report = finished ?? report
                reload = seconds ?? reload
            }
            return (try require(report), reload)
        }
    }

    /// The most one fleet serves: a short closed-model run with many connections.
    func probeCapacity(port: Int) async throws -> LoadReport {
        print("fleet demo: measuring capacity (closed model, 64 connections, 5 s)")
        return try await LoadTest(configuration: LoadConfiguration(
            target: try Target(url: "http://127.0.0.1:\(port)/users/1"),
            requests: [RequestSpec(name: "GET /users/:id", path: "/users/{rand:1-1000}")],
            model: .constantUsers(64, duration: .seconds(5)),
            connections: 64,
            checks: Checks(statuses: [200])
        )).run()
    }

    static func waitForOnline(_ supervisor: Supervisor, instances: Int) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let status = await supervisor.status()
            if let port = status.port, status.workers.count == instances, status.workers.allSatisfy({ $0.status == "online" }) { return port }
            if let errored = status.workers.first(where: { $0.status == "errored" }) {
                throw ValidationError("a demo worker could not start: \(errored.lastExit ?? "unknown")")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ValidationError("the demo workers did not come online within 60 s")
    }

    /// This very binary: the demo's workers are `fleet serve`.
    static func ownExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? Start.resolve(CommandLine.arguments[0])
    }
}

/// `#require` outside tests: the value or a clear failure.
private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw ValidationError("the load run produced no report") }
    return value
}
