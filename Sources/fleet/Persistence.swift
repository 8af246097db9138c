import ArgumentParser
import FleetSupervisor
import Foundation
import Yams

/// `fleet save`: writes every running app of the state directory to
/// `<state>/saved.yaml`, an ecosystem file `fleet resurrect` starts again.
struct Save: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remember the running apps (with their current instances, port and env) for fleet resurrect.")

    @Option(name: .customLong("state-dir"), help: "The supervisors' state directory.")
    var stateDirectory: String = ProcessInfo.processInfo.environment["FLEET_STATE_DIR"] ?? ".fleet"

    func run() async throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: self.stateDirectory))?
            .filter { $0.hasSuffix(".sock") }.map { String($0.dropLast(5)) }.sorted() ?? []
        var apps: [[String: Any]] = []
        for name in names {
            let client = ControlClient(name: name, stateDirectory: self.stateDirectory)
            // A socket left by a supervisor that died answers nothing: skip it.
            guard let definition = try? await client.send(ControlRequest(command: "describe")).definition else { continue }
            apps.append(Self.entry(definition))
        }
        guard !apps.isEmpty else { throw ValidationError("no running app answers in \(self.stateDirectory); start one with fleet start") }
        let path = SavedApps.path(stateDirectory: self.stateDirectory)
        try SavedApps.write(apps, to: path)
        print("saved \(apps.count) app\(apps.count == 1 ? "" : "s") to \(path)")
    }

    static func entry(_ app: AppDefinition) -> [String: Any] {
        var entry: [String: Any] = [
            "name": app.name, "script": app.executable, "args": app.arguments, "instances": app.instances,
            "host": app.host, "port": app.port, "env": app.environment,
            "ready_timeout": "\(Int(app.readyTimeoutSeconds * 1000))ms", "stop_timeout": "\(Int(app.stopTimeoutSeconds * 1000))ms",
            "max_restarts": app.maxRestarts, "min_uptime": "\(Int(app.minUptimeSeconds * 1000))ms",
        ]
        entry["max_memory"] = app.maxMemoryBytes
        entry["max_age"] = app.maxAgeSeconds.map { "\(Int($0))s" }
        if app.listens == false { entry["port"] = "none" }
        if let autoscaling = app.autoscaling {
            entry["min_instances"] = autoscaling.minInstances
            entry["max_instances"] = autoscaling.maxInstances
            entry["jobs_per_instance"] = autoscaling.jobsPerInstance
            entry["scale_down_window"] = "\(Int(autoscaling.scaleDownWindowSeconds * 1000))ms"
        }
        return entry
    }
}

/// `fleet resurrect`: starts the apps `fleet save` remembered.
struct Resurrect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the apps fleet save remembered, in the foreground or with --daemon.")

    @Option(name: .customLong("state-dir"), help: "The supervisors' state directory.")
    var stateDirectory: String = ProcessInfo.processInfo.environment["FLEET_STATE_DIR"] ?? ".fleet"

    @Flag(help: "Detach: run the supervisor in the background and return once its workers are online.")
    var daemon = false

    func run() async throws {
        let path = SavedApps.path(stateDirectory: self.stateDirectory)
        guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("nothing saved at \(path); run fleet save first") }
        let start = try Start.parse(["--config", path, "--state-dir", self.stateDirectory] + (self.daemon ? ["--daemon"] : []))
        try await start.run()
    }
}

/// `fleet delete`: stops an app and forgets it (saved list, logs).
struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop an app, and remove it from the saved apps and its logs.")

    @OptionGroup var app: AppOptions

    func run() async throws {
        if let response = try? await self.app.client.send(ControlRequest(command: "stop")), !response.ok {
            throw ValidationError("stop failed: \(response.error ?? "unknown error")")
        }
        let path = SavedApps.path(stateDirectory: self.app.stateDirectory)
        if let saved = try SavedApps.read(path) {
            try SavedApps.write(saved.filter { $0["name"] as? String != self.app.name }, to: path)
        }
        let logs = "\(self.app.stateDirectory)/logs"
        for file in (try? FileManager.default.contentsOfDirectory(atPath: logs)) ?? [] where file.hasPrefix("\(self.app.name).log") {
            try? FileManager.default.removeItem(atPath: "\(logs)/\(file)")
        }
        print("deleted \(self.app.name)")
    }
}

/// The saved ecosystem file: it holds the apps' environments, so only its owner reads it.
enum SavedApps {
    static func path(stateDirectory: String) -> String { "\(stateDirectory)/saved.yaml" }

    static func read(_ path: String) throws -> [[String: Any]]? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return (try Yams.load(yaml: text) as? [String: Any])?["apps"] as? [[String: Any]]
    }

    static func write(_ apps: [[String: Any]], to path: String) throws {
        let text = try Yams.dump(object: ["apps": apps], sortKeys: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(path)")
        }
    }
}
