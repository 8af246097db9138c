import FleetLoad
import FleetSupervisor
import Foundation
import Yams

/// `fleet.yaml`: the apps `fleet start` runs when it is given no executable,
/// as PM2's ecosystem file does. Every key is checked; a mistake names the app,
/// the key and what it accepts.
///
/// ```yaml
/// apps:
///   - name: api
///     script: .build/release/fleet
///     args: [serve]
///     instances: max            # or a number
///     port: 8080                # or none, for an app that serves no port
///     max_memory: 512M
///     env:                      # every environment
///       LOG_FORMAT: json
///     env_production:           # with --env production
///       DATABASE_URL: postgres://...
///   - name: jobs                # a job worker, scaled on its queue's backlog
///     script: .build/release/fleet
///     args: [work]
///     port: none
///     min_instances: 1
///     max_instances: 4
///     jobs_per_instance: 10     # waiting jobs one worker is meant to face
///     scale_down_window: 60s    # how long a lower count must hold before shrinking
/// ```
struct EcosystemFile {
    static let keys: Set<String> = [
        "name", "script", "args", "instances", "host", "port", "ready_timeout", "stop_timeout",
        "max_restarts", "min_uptime", "max_memory", "max_age", "env",
        "min_instances", "max_instances", "jobs_per_instance", "scale_down_window",
    ]

    let apps: [AppConfiguration]

    /// Reads `path`, taking each app's `env` plus `env_<environment>` when one is named.
    init(path: String, environment: String?, stateDirectory: String, base: [String: String]) throws(EcosystemError) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw EcosystemError("cannot read \(path); give an executable to run, or write a fleet.yaml (see fleet start --help)")
        }
        let document: Any?
        do { document = try Yams.load(yaml: text) } catch { throw EcosystemError("\(path) is not YAML: \(error)") }
        guard let root = document as? [String: Any], let entries = root["apps"] as? [Any], !entries.isEmpty else {
            throw EcosystemError("\(path) must have an `apps:` list with at least one app")
        }
        var apps: [AppConfiguration] = []
        for (index, entry) in entries.enumerated() {
            guard let fields = entry as? [String: Any] else { throw EcosystemError("\(path): apps[\(index)] must be a mapping") }
            let app = try Self.app(fields, index: index, environment: environment, base: base)
            guard !apps.contains(where: { $0.name == app.name }) else { throw EcosystemError("\(path): two apps are named \(app.name)") }
            var configured = app
            configured.stateDirectory = stateDirectory
            apps.append(configured)
        }
        self.apps = apps
    }

    private static func app(_ fields: [String: Any], index: Int, environment: String?, base: [String: String]) throws(EcosystemError) -> AppConfiguration {
        let name = (fields["name"] as? String) ?? "app\(index)"
        let field = Field(app: name, fields: fields)
        for key in fields.keys where !Self.keys.contains(key) && !key.hasPrefix("env_") {
            throw EcosystemError("app \(name): unknown key `\(key)`; known keys: \(Self.keys.sorted().joined(separator: ", ")), env_<environment>")
        }
        guard let script = try field.string("script") else { throw EcosystemError("app \(name): `script` (the worker executable) is required") }
        var app = AppConfiguration(executable: Start.resolve(script))
        app.name = name
        app.arguments = try field.strings("args") ?? []
        if let instances = try field.string("instances") {
            guard let count = Start.workerCount(instances) else { throw field.invalid("instances", "a number from 1 to 1024, or max") }
            app.instances = count
        }
        app.host = try field.string("host") ?? app.host
        if let port = try field.string("port") {
            if port == "none" {
                app.listens = false
            } else {
                guard let number = Int(port), (0...65535).contains(number) else { throw field.invalid("port", "a port from 0 to 65535, or none") }
                app.port = number
            }
        }
        app.autoscaling = try Self.autoscaling(field)
        if let autoscaling = app.autoscaling, fields["instances"] == nil { app.instances = autoscaling.minInstances }
        app.readyTimeout = try field.duration("ready_timeout") ?? app.readyTimeout
        app.stopTimeout = try field.duration("stop_timeout") ?? app.stopTimeout
        app.restart.minUptime = try field.duration("min_uptime") ?? app.restart.minUptime
        if let restarts = try field.string("max_restarts") {
            guard let number = Int(restarts), (1...1000).contains(number) else { throw field.invalid("max_restarts", "a number from 1 to 1000") }
            app.restart.maxUnstableStarts = number
        }
        if let size = try field.string("max_memory") {
            guard let bytes = WorkerLimits.parseSize(size) else { throw field.invalid("max_memory", "a size such as 512M or 1G") }
            app.limits.maxMemoryBytes = bytes
        }
        app.limits.maxAge = try field.duration("max_age")
        var env = base
        env.merge(try field.environment("env")) { $1 }
        if let environment {
            env.merge(try field.environment("env_\(environment)")) { $1 }
        }
        app.environment = env
        return app
    }
}

extension EcosystemFile {
    /// `min_instances`, `max_instances`, `jobs_per_instance` and `scale_down_window`, when any is set.
    fileprivate static func autoscaling(_ field: Field) throws(EcosystemError) -> Autoscaling? {
        let keys = ["min_instances", "max_instances", "jobs_per_instance", "scale_down_window"]
        guard keys.contains(where: { field.fields[$0] != nil }) else { return nil }
        var policy = Autoscaling()
        for (key, path) in [("min_instances", \Autoscaling.minInstances), ("max_instances", \.maxInstances), ("jobs_per_instance", \.waitingPerInstance)] {
            guard let text = try field.string(key) else { continue }
            guard let number = Int(text), (1...1024).contains(number) else { throw field.invalid(key, "a number from 1 to 1024") }
            policy[keyPath: path] = number
        }
        guard policy.minInstances <= policy.maxInstances else { throw field.invalid("max_instances", "at least min_instances (\(policy.minInstances))") }
        policy.scaleDownWindow = try field.duration("scale_down_window") ?? policy.scaleDownWindow
        return policy
    }
}

/// Reads one app's fields, each as the type its key needs.
private struct Field {
    let app: String
    let fields: [String: Any]

    func invalid(_ key: String, _ accepted: String) -> EcosystemError {
        EcosystemError("app \(self.app): `\(key)` must be \(accepted), not \(self.fields[key].map { "\($0)" } ?? "nothing")")
    }

    /// Scalars (strings, numbers, booleans) as text.
    func string(_ key: String) throws(EcosystemError) -> String? {
        guard let value = self.fields[key] else { return nil }
        switch value {
        case let text as String: return text
        case let number as Int: return "\(number)"
        case let flag as Bool: return "\(flag)"
        case let number as Double: return "\(number)"
        default: throw self.invalid(key, "a single value")
        }
    }

    func strings(_ key: String) throws(EcosystemError) -> [String]? {
        guard let value = self.fields[key] else { return nil }
        guard let list = value as? [Any] else { throw self.invalid(key, "a list") }
        return list.map { "\($0)" }
    }

    func duration(_ key: String) throws(EcosystemError) -> Duration? {
        guard let text = try self.string(key) else { return nil }
        guard let duration = Duration.parse(text) else { throw self.invalid(key, "a duration such as 30s, 500ms or 2m") }
        return duration
    }

    func environment(_ key: String) throws(EcosystemError) -> [String: String] {
        guard let value = self.fields[key] else { return [:] }
        guard let mapping = value as? [String: Any] else { throw self.invalid(key, "a mapping of variable names to values") }
        return mapping.mapValues { "\($0)" }
    }
}

struct EcosystemError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
