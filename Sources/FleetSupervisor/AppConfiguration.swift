/// What the supervisor runs: one app as a fleet of identical workers.
public struct AppConfiguration: Sendable {
    /// The app's name in `fleet list` and in log lines. Default `app`.
    public var name: String = "app"
    /// The worker executable (a path, resolved when each worker starts, so a new binary is picked up by a reload).
    public var executable: String
    /// Arguments after the executable.
    public var arguments: [String] = []
    /// How many workers. Default 1.
    public var instances: Int = 1
    /// The workers' environment (the supervisor adds `LISTEN_FDS`, `FLEET_INSTANCE`, `FLEET_WORKERS`, `FLEET_IPC_FD`).
    public var environment: [String: String] = [:]
    /// The address the shared socket binds. Default `127.0.0.1`.
    public var host: String = "127.0.0.1"
    /// The port the shared socket binds; 0 picks one. Default 8080.
    public var port: Int = 8080
    /// False for an app that serves no port (a job worker): no socket is bound
    /// or passed, and the hand-over is only the link's `prepared`/`accept`/`ready`. Default true.
    public var listens: Bool = true
    /// Scales the app between a minimum and a maximum on the backlog its workers
    /// report (`SupervisorLink.reportBacklog`), as Kubernetes' HPA does; nil for a fixed count.
    public var autoscaling: Autoscaling?
    /// A listening socket to adopt instead of binding `host:port`: systemd's,
    /// under socket activation. More workers join its port with `SO_REUSEPORT`.
    public var inheritedSocket: Int32?
    /// How long a new worker may take to report ready. Default 30 s.
    public var readyTimeout: Duration = .seconds(30)
    /// How long a stopping worker may drain before SIGKILL. Default 35 s (the workers' 30 s drain plus a margin).
    public var stopTimeout: Duration = .seconds(35)
    /// When and how fast crashed workers come back.
    public var restart: RestartPolicy = RestartPolicy()
    /// When a healthy worker is recycled by a graceful hand-over.
    public var limits: WorkerLimits = WorkerLimits()
    /// Where the control socket and logs live. Default `.fleet`.
    public var stateDirectory: String = ".fleet"
    /// Rotate the log file when it passes this size. Default 10 MiB.
    public var logFileLimit: Int = 10 << 20
    /// How many rotated log files to keep. Default 5.
    public var logFilesKept: Int = 5
    /// Also write the workers' output to the supervisor's standard output. Default true.
    public var echoOutput: Bool = true

    /// - Parameter executable: the worker executable.
    public init(executable: String) {
        self.executable = executable
    }

    var controlSocketPath: String { "\(self.stateDirectory)/\(self.name).sock" }
    var logFilePath: String { "\(self.stateDirectory)/logs/\(self.name).log" }
}

/// How crashed workers restart: exponential backoff with jitter, and a crash
/// loop (too many starts that die young) marks the app errored.
public struct RestartPolicy: Sendable {
    /// A worker that dies sooner than this after starting counts as an unstable start. Default 1 s.
    public var minUptime: Duration = .seconds(1)
    /// Unstable starts in a row after which a worker slot is marked `errored`. Default 10.
    public var maxUnstableStarts: Int = 10
    /// The first delay before a restart. Default 100 ms.
    public var initialBackoff: Duration = .milliseconds(100)
    /// The longest delay before a restart. Default 15 s.
    public var maxBackoff: Duration = .seconds(15)

    public init() {}

    /// The delay before restart number `attempt` (0-based): doubling, capped, with ±20% jitter.
    func backoff(attempt: Int) -> Duration {
        let base = self.initialBackoff * (1 << min(attempt, 20))
        let capped = min(base, self.maxBackoff)
        return capped * Double.random(in: 0.8...1.2)
    }
}
