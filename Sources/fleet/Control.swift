import ArgumentParser
import FleetSupervisor
import Foundation

/// `fleet list`: the workers of a running fleet.
struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the workers of a running fleet.")

    @OptionGroup var app: AppOptions
    @Flag(help: "Print the status as JSON.") var json = false

    func run() async throws {
        let response = try await self.app.client.send(ControlRequest(command: "list"))
        guard let status = response.status else { throw ValidationError(response.error ?? "no status") }
        if self.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        } else {
            print(StatusTable.render(status))
        }
    }
}

/// `fleet reload`: a rolling, zero-downtime replacement of every worker.
struct Reload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Replace every worker, one at a time, with no refused connection.")

    @OptionGroup var app: AppOptions
    @Flag(help: "Give the new workers this shell's environment.") var updateEnv = false

    func run() async throws {
        let environment = self.updateEnv ? Start.workerEnvironment() : nil
        let response = try await self.app.client.send(ControlRequest(command: "reload", environment: environment))
        guard response.ok else { throw ValidationError("reload failed: \(response.error ?? "unknown error")") }
        print("reloaded \(self.app.name) in \(String(format: "%.2f", response.seconds ?? 0)) s")
    }
}

/// `fleet scale`: set, grow or shrink the number of workers.
struct Scale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Scale a running fleet: 4, +1 or -1.")

    @Argument(help: "The app's name.") var name: String
    @Argument(help: "A number of workers, or +N / -N.") var count: String
    @Option(name: .customLong("state-dir"), help: "The supervisor's state directory.")
    var stateDirectory: String = ProcessInfo.processInfo.environment["FLEET_STATE_DIR"] ?? ".fleet"

    func run() async throws {
        let client = ControlClient(name: self.name, stateDirectory: self.stateDirectory)
        var target: Int
        if self.count.hasPrefix("+") || self.count.hasPrefix("-") {
            guard let delta = Int(self.count) else { throw ValidationError("count must be a number, +N or -N, not \(self.count)") }
            let current = try await client.send(ControlRequest(command: "list")).status?.workers.count ?? 0
            target = current + delta
        } else {
            guard let absolute = Int(self.count) else { throw ValidationError("count must be a number, +N or -N, not \(self.count)") }
            target = absolute
        }
        let response = try await client.send(ControlRequest(command: "scale", instances: target))
        guard response.ok else { throw ValidationError("scale failed: \(response.error ?? "unknown error")") }
        print("\(self.name) now runs \(response.status?.workers.count ?? target) workers")
    }
}

/// `fleet stop`: drain every worker and stop the supervisor.
struct Stop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Drain every worker and stop the fleet.")

    @OptionGroup var app: AppOptions

    func run() async throws {
        let response = try await self.app.client.send(ControlRequest(command: "stop"))
        guard response.ok else { throw ValidationError("stop failed: \(response.error ?? "unknown error")") }
        print("stopping \(self.app.name)")
    }
}
