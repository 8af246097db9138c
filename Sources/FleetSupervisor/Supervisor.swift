#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Runs one app as a fleet of worker processes on one shared listening socket:
/// starts them, restarts them when they crash, rolls reloads through them one
/// at a time, scales them, and stops them gracefully (PM2 cluster mode).
public actor Supervisor: Service {
    struct Worker: Sendable {
        let pid: pid_t
        let startedAt: ContinuousClock.Instant
        /// Our own copy of the link, for messages to the worker.
        let link: Int32
        var ready = false
    }

    /// A message a worker is expected to send: `prepared`, `ready` or `released`.
    struct Awaited: Hashable {
        let pid: pid_t
        let message: String
    }

    struct Slot: Sendable {
        var worker: Worker?
        var status = "starting"
        var restarts = 0
        /// Graceful replacements for passing a limit (memory, age).
        var recycles = 0
        var unstableStarts = 0
        var lastExit: String?
        var recentOutput: [String] = []
    }

    let configuration: AppConfiguration
    let logger: Logger
    var environment: [String: String]
    var slots: [Slot] = []
    /// One socket per worker slot, all bound to the port with `SO_REUSEPORT`: the
    /// kernel spreads connections evenly, and only one process accepts on each.
    var sockets: [ListeningSocket] = []
    /// The address of an adopted socket, which the other slots' sockets join.
    var boundHost: String?
    var logSink: LogSink?
    /// Exits we caused (reload, scale down, stop): not crashes.
    var expectedExits: Set<pid_t> = []
    var messageWaiters: [Awaited: CheckedContinuation<Bool, Never>] = [:]
    var exitWaiters: [pid_t: [CheckedContinuation<Void, Never>]] = [:]
    /// Our end of each child's link, closed once it is reaped: the keys are the live
    /// children, those this supervisor reaps and, when it stops, ends.
    var links: [pid_t: Int32] = [:]
    var isReloading = false
    var reloads = ReloadStatistics()
    var isStopping = false
    /// The jobs waiting in the app's queue, as a worker last reported them, for the autoscaler.
    var backlog: (waiting: Int, at: ContinuousClock.Instant)?
    let jobs: AsyncStream<@Sendable () async -> Void>
    let addJob: AsyncStream<@Sendable () async -> Void>.Continuation
    let stopRequests: AsyncStream<Void>
    let requestStop: AsyncStream<Void>.Continuation

    /// - Parameters:
    ///   - configuration: the app and how to run it.
    ///   - logger: the supervisor's own log.
    public init(configuration: AppConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.environment = configuration.environment
        (self.jobs, self.addJob) = AsyncStream.makeStream()
        (self.stopRequests, self.requestStop) = AsyncStream.makeStream()
    }

    /// The port the fleet listens on, once `run()` has bound it.
    public var port: Int? { self.sockets.first?.port }

    public func run() async throws {
        try FileManager.default.createDirectory(atPath: "\(self.configuration.stateDirectory)/logs", withIntermediateDirectories: true)
        try self.bindSockets(count: self.configuration.instances)
        self.logSink = LogSink(
            path: self.configuration.logFilePath,
            limit: self.configuration.logFileLimit,
            kept: self.configuration.logFilesKept,
            echo: self.configuration.echoOutput
        )
        if let socket = self.sockets.first {
            self.logger.info("listening", metadata: ["server.address": "\(self.boundHost ?? self.configuration.host)", "server.port": "\(socket.port)", "app": "\(self.configuration.name)"])
        }
        let control = ControlServer(path: self.configuration.controlSocketPath, supervisor: self, logger: self.logger)

        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.reapChildren() }
                group.addTask { await self.enforceLimits() }
                group.addTask { await self.autoscale() }
                group.addTask {
                    do {
                        try await control.run()
                    } catch is CancellationError {
                        // The fleet stopped.
                    } catch {
                        self.logger.error("control socket failed", metadata: ["error.message": "\(error)"])
                    }
                }
                // A stop does not wait for the start: the workers still starting are stopped too.
                group.addTask { await self.startAll() }
                group.addTask {
                    for await _ in self.stopRequests { break }
                    await self.stopAll()
                    self.addJob.finish()
                }
                for await job in self.jobs {
                    group.addTask { await job() }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.requestStop.yield()
        }
        self.sockets.forEach { $0.close() }
        self.logSink?.close()
        self.logger.info("stopped", metadata: ["app": "\(self.configuration.name)"])
    }

    /// Asks the fleet to stop: every worker drains, then `run()` returns.
    public func stop() {
        self.requestStop.yield()
    }

    // MARK: Status

    /// True once every slot's worker has reported ready.
    public var workersOnline: Bool {
        !self.slots.isEmpty && self.slots.allSatisfy { $0.status == "online" }
    }

    /// How many worker slots the app has.
    public var workerCount: Int { self.slots.count }

    /// Every worker's state, as `fleet list` shows it.
    public func status() -> AppStatus {
        let now = ContinuousClock.now
        let connections = ConnectionCounter(port: self.port ?? 0)
        let workers = self.slots.enumerated().map { instance, slot in
            let stats = slot.worker.flatMap { ProcessStats.read(pid: $0.pid) }
            let uptime = slot.worker.map { now - $0.startedAt } ?? .zero
            return WorkerStatus(
                instance: instance,
                pid: slot.worker?.pid ?? 0,
                status: slot.status,
                uptimeSeconds: uptime.seconds,
                restarts: slot.restarts,
                recycles: slot.recycles,
                cpuSeconds: stats?.cpuSeconds ?? 0,
                memoryBytes: stats?.memoryBytes ?? 0,
                connections: slot.worker.map { connections.established(pid: $0.pid) } ?? 0,
                lastExit: slot.lastExit
            )
        }
        return AppStatus(name: self.configuration.name, port: self.port, supervisorPID: getpid(), workers: workers)
    }

    /// What the app runs now, for `fleet save`.
    public func definition() -> AppDefinition {
        let configuration = self.configuration
        return AppDefinition(
            name: configuration.name,
            executable: configuration.executable,
            arguments: configuration.arguments,
            instances: self.slots.count,
            host: configuration.host,
            port: self.port ?? configuration.port,
            environment: self.environment,
            readyTimeoutSeconds: configuration.readyTimeout.seconds,
            stopTimeoutSeconds: configuration.stopTimeout.seconds,
            maxRestarts: configuration.restart.maxUnstableStarts,
            minUptimeSeconds: configuration.restart.minUptime.seconds,
            maxMemoryBytes: configuration.limits.maxMemoryBytes,
            maxAgeSeconds: configuration.limits.maxAge?.seconds,
            listens: configuration.listens,
            autoscaling: configuration.autoscaling.map {
                AutoscalingDefinition(
                    minInstances: $0.minInstances, maxInstances: $0.maxInstances, jobsPerInstance: $0.waitingPerInstance,
                    scaleDownWindowSeconds: $0.scaleDownWindow.seconds
                )
            }
        )
    }

    /// Binds sockets until there is one per slot; the first (or the inherited
    /// one) fixes the address and the port when 0 was asked for.
    func bindSockets(count: Int) throws(SupervisorError) {
        guard self.configuration.listens else { return }
        if self.sockets.isEmpty, let inherited = self.configuration.inheritedSocket {
            let adopted = try ListeningSocket.adopt(descriptor: inherited)
            self.sockets.append(adopted.socket)
            self.boundHost = adopted.host
            self.logger.info("adopted an inherited socket", metadata: ["server.address": "\(adopted.host)", "server.port": "\(adopted.socket.port)"])
            guard adopted.reusesPort || count == 1 else {
                throw SupervisorError(.socket, "the inherited socket was not bound with SO_REUSEPORT, so only one worker can serve it: set ReusePort=yes in the socket unit, or run one instance")
            }
        }
        while self.sockets.count < count {
            let port = self.sockets.first?.port ?? self.configuration.port
            self.sockets.append(try ListeningSocket.bind(host: self.boundHost ?? self.configuration.host, port: port, reusePort: true))
        }
    }
}
