/// A request on the control socket: one JSON object on one line.
public struct ControlRequest: Codable, Sendable, Equatable {
    /// `list`, `describe`, `metrics`, `reload`, `scale` or `stop`.
    public var command: String
    /// For `scale`: the number of workers.
    public var instances: Int?
    /// For `reload --update-env`: the workers' new environment.
    public var environment: [String: String]?

    public init(command: String, instances: Int? = nil, environment: [String: String]? = nil) {
        self.command = command
        self.instances = instances
        self.environment = environment
    }
}

/// The answer: `ok`, an error message, and the app's status.
public struct ControlResponse: Codable, Sendable, Equatable {
    public var ok: Bool
    public var error: String?
    public var status: AppStatus?
    /// For `reload`: how long it took, in seconds.
    public var seconds: Double?
    /// For `describe`: what the app runs.
    public var definition: AppDefinition?
    /// For `metrics`: the supervisor's metrics in Prometheus' text format.
    public var metrics: String?

    public init(
        ok: Bool, error: String? = nil, status: AppStatus? = nil, seconds: Double? = nil, definition: AppDefinition? = nil, metrics: String? = nil
    ) {
        self.ok = ok
        self.error = error
        self.status = status
        self.seconds = seconds
        self.definition = definition
        self.metrics = metrics
    }
}

/// What an app runs, as `fleet save` writes it back to an ecosystem file:
/// the current instance count and bound port, not the ones it started with.
public struct AppDefinition: Codable, Sendable, Equatable {
    public var name: String
    public var executable: String
    public var arguments: [String]
    public var instances: Int
    public var host: String
    public var port: Int
    public var environment: [String: String]
    public var readyTimeoutSeconds: Double
    public var stopTimeoutSeconds: Double
    public var maxRestarts: Int
    public var minUptimeSeconds: Double
    public var maxMemoryBytes: Int?
    public var maxAgeSeconds: Double?
    /// False for an app that serves no port (`port: none`); nil is true.
    public var listens: Bool?
    /// The backlog autoscaling, when the app has it.
    public var autoscaling: AutoscalingDefinition?
}

/// `Autoscaling` as `fleet save` writes it: the keys of the ecosystem file.
public struct AutoscalingDefinition: Codable, Sendable, Equatable {
    public var minInstances: Int
    public var maxInstances: Int
    public var jobsPerInstance: Int
    public var scaleDownWindowSeconds: Double
}
