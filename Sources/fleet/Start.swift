import ArgumentParser
import FleetHTTP
import FleetLoad
import FleetSupervisor
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `fleet start`: a supervised fleet of workers on one shared socket, in the foreground.
struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an executable as a supervised fleet of workers sharing one listening socket.",
        discussion: """
            Workers inherit the socket (LISTEN_FDS=1, fd 3) and get FLEET_INSTANCE, FLEET_WORKERS and FLEET_IPC_FD. \
            SIGTERM or SIGINT drains every worker and exits. Control the running fleet with fleet list, reload, scale and stop.
            Without an executable, the apps of --config (fleet.yaml) start, each with its `env` plus `env_<--env>`. \
            An app with `port: none` (fleet work) gets no socket; with min_instances, max_instances, jobs_per_instance \
            and scale_down_window it is scaled on the jobs waiting in its queue.
            """
    )

    @Argument(help: "The worker executable; without one, the apps of --config start.")
    var executable: String?

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the worker.")
    var arguments: [String] = []

    @OptionGroup var app: AppOptions

    @Option(help: "The ecosystem file read when no executable is given.")
    var config: String = "fleet.yaml"

    @Option(help: "Also apply each app's env_<name> block from --config, e.g. production.")
    var env: String?

    @Flag(help: "Detach: run the supervisor in the background and return once its workers are online.")
    var daemon = false

    @Option(name: [.customShort("i"), .long], help: "Workers: a number from 1 to 1024, or max for one per core.")
    var instances: String = "1"

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 8080

    @Option(help: "How long a worker may take to report ready, e.g. 30s.")
    var readyTimeout: String = "30s"

    @Option(help: "How long a stopping worker may drain before SIGKILL, e.g. 35s.")
    var stopTimeout: String = "35s"

    @Option(help: "Unstable starts in a row (each dying within --min-uptime) after which a worker is marked errored.")
    var maxRestarts: Int = 10

    @Option(help: "A worker that dies sooner than this after starting counts as an unstable start, e.g. 1s.")
    var minUptime: String = "1s"

    @Option(help: "Recycle a worker (graceful hand-over) when its resident memory passes this size, e.g. 512M or 1G.")
    var maxMemory: String?

    @Option(help: "Recycle a worker (graceful hand-over) once it has run this long, e.g. 6h.")
    var maxAge: String?

    @Option(help: "Serve the supervisor's metrics (workers, restarts, reloads) for Prometheus on this port of --host.")
    var metricsPort: Int?

    func validate() throws {
        _ = try self.workerCount()
        guard (0...65535).contains(self.port) else { throw ValidationError("--port must be from 0 to 65535, not \(self.port)") }
        _ = try Self.duration(self.readyTimeout, flag: "--ready-timeout")
        _ = try Self.duration(self.stopTimeout, flag: "--stop-timeout")
        _ = try Self.duration(self.minUptime, flag: "--min-uptime")
        _ = try self.limits()
        guard (1...1000).contains(self.maxRestarts) else { throw ValidationError("--max-restarts must be from 1 to 1000, not \(self.maxRestarts)") }
        if let metricsPort, !(0...65535).contains(metricsPort) {
            throw ValidationError("--metrics-port must be from 0 to 65535, not \(metricsPort)")
        }
    }

    func workerCount() throws -> Int {
        guard let count = Self.workerCount(self.instances) else {
            throw ValidationError("--instances (-i) must be a number from 1 to 1024 or max, not \(self.instances)")
        }
        return count
    }

    /// `max` is one worker per core.
    static func workerCount(_ text: String) -> Int? {
        if text == "max" { return ProcessInfo.processInfo.activeProcessorCount }
        guard let count = Int(text), (1...1024).contains(count) else { return nil }
        return count
    }

    func limits() throws -> WorkerLimits {
        var limits = WorkerLimits()
        if let maxMemory {
            guard let bytes = WorkerLimits.parseSize(maxMemory) else {
                throw ValidationError("--max-memory must be a size such as 512M, 1G or 800K, not \(maxMemory)")
            }
            limits.maxMemoryBytes = bytes
        }
        limits.maxAge = try self.maxAge.map { try Self.duration($0, flag: "--max-age") }
        return limits
    }

    static func duration(_ text: String, flag: String) throws -> Duration {
        guard let duration = Duration.parse(text) else {
            throw ValidationError("\(flag) must be a duration such as 30s, 500ms or 2m, not \(text)")
        }
        return duration
    }

    func run() async throws {
        // Only the log settings are the supervisor's; the rest of the environment is the workers'.
        var logging = FleetConfiguration()
        do {
            let environment = EnvironmentReader(ProcessInfo.processInfo.environment)
            logging.logFormat = try environment.logFormat("LOG_FORMAT") ?? logging.logFormat
            logging.logLevel = try environment.logLevel("LOG_LEVEL") ?? logging.logLevel
        } catch {
            throw ValidationError("\(error)")
        }
        var apps = try self.apps()
        // Under systemd socket activation the first app serves the socket systemd bound.
        if let inherited = try? SocketActivation.inheritedSocket(environment: ProcessInfo.processInfo.environment) {
            apps[0].inheritedSocket = inherited
        }
        if self.daemon {
            try await Daemon.detach(apps: apps)
            return
        }
        logging.bootstrapLogging()
        let logger = Logger(label: "fleet.supervisor")
        // Detached, the supervisor's output is a file: the workers' lines already go to each app's log.
        let detached = ProcessInfo.processInfo.environment[Daemon.marker] != nil
        let supervisors = apps.map { app in
            var app = app
            app.echoOutput = !detached
            return app
        }.map { Supervisor(configuration: $0, logger: logger) }
        var services: [any Service] = supervisors
        if let metricsPort {
            services.append(MetricsHTTPServer(host: self.host, port: metricsPort, logger: logger) {
                var text = ""
                for supervisor in supervisors { text += await supervisor.fleetMetricsText() }
                return text
            })
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { await SystemdNotifier.fromEnvironment()?.notifyWhenOnline(supervisors) }
            try await group.run()
            // A fleet stopped before it was online: the notifier would wait for it forever.
            tasks.cancelAll()
        }
    }

    /// The apps to run: the one on the command line, or those of `--config`.
    func apps() throws -> [AppConfiguration] {
        guard let executable else {
            do {
                return try EcosystemFile(path: self.config, environment: self.env, stateDirectory: self.app.stateDirectory, base: Self.workerEnvironment()).apps
            } catch {
                throw ValidationError("\(error)")
            }
        }
        var configuration = AppConfiguration(executable: Self.resolve(executable))
        configuration.name = self.app.name
        configuration.arguments = self.arguments
        configuration.instances = try self.workerCount()
        configuration.host = self.host
        configuration.port = self.port
        configuration.readyTimeout = try Self.duration(self.readyTimeout, flag: "--ready-timeout")
        configuration.stopTimeout = try Self.duration(self.stopTimeout, flag: "--stop-timeout")
        configuration.restart.maxUnstableStarts = self.maxRestarts
        configuration.restart.minUptime = try Self.duration(self.minUptime, flag: "--min-uptime")
        configuration.limits = try self.limits()
        configuration.stateDirectory = self.app.stateDirectory
        configuration.environment = Self.workerEnvironment()
        return [configuration]
    }

    /// The supervisor's environment, less what belongs to the supervisor itself.
    static func workerEnvironment() -> [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LISTEN_") && !["FLEET_IPC_FD", "NOTIFY_SOCKET", Daemon.marker].contains($0.key) }
    }

    /// A bare name is looked up on PATH, as a shell would.
    static func resolve(_ executable: String) -> String {
        guard !executable.contains("/") else { return executable }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(executable)") {
            return "\(directory)/\(executable)"
        }
        return executable
    }
}

/// The options every command that talks to a fleet shares.
struct AppOptions: ParsableArguments {
    @Option(help: "The app's name.")
    var name: String = "app"

    @Option(name: .customLong("state-dir"), help: "The supervisor's state directory (control socket, logs).")
    var stateDirectory: String = ProcessInfo.processInfo.environment["FLEET_STATE_DIR"] ?? ".fleet"

    var client: ControlClient { ControlClient(name: self.name, stateDirectory: self.stateDirectory) }
}
