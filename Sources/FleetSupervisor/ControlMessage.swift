/// A request on the control socket: one JSON object on one line.
public struct ControlRequest: Codable, Sendable, Equatable {
    /// `list`, `reload`, `scale` or `stop`.
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

    public init(ok: Bool, error: String? = nil, status: AppStatus? = nil, seconds: Double? = nil) {
        self.ok = ok
        self.error = error
        self.status = status
        self.seconds = seconds
    }
}
