/// One worker as `fleet list` shows it.
public struct WorkerStatus: Codable, Sendable, Equatable {
    /// The slot, 0 to instances - 1 (`FLEET_INSTANCE`).
    public var instance: Int
    public var pid: Int32
    /// `starting`, `online`, `stopping`, `restarting` or `errored`.
    public var status: String
    public var uptimeSeconds: Double
    public var restarts: Int
    /// Graceful replacements for passing a memory or age limit.
    public var recycles: Int
    /// CPU time used, in seconds, from /proc.
    public var cpuSeconds: Double
    /// Resident memory in bytes, from /proc.
    public var memoryBytes: Int
    /// Established client connections the worker holds on the app's port.
    public var connections: Int
    /// Why the last worker in this slot exited, when one did.
    public var lastExit: String?
}

/// The answer to `fleet list`.
public struct AppStatus: Codable, Sendable, Equatable {
    public var name: String
    /// The port the workers share; nil for an app that serves none (`port: none`).
    public var port: Int?
    public var supervisorPID: Int32
    public var workers: [WorkerStatus]
}
