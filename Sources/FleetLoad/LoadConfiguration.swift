import NIOCore

/// Everything a load test needs; defaults make an open-model run of 10 s at 100 requests/s.
public struct LoadConfiguration: Sendable {
    /// Where requests go.
    public var target: Target
    /// The requests to send, chosen by weight. Default: one GET of the target's path.
    public var requests: [RequestSpec]
    /// Open (arrival rate, the default) or closed (virtual users).
    public var model: LoadModel
    /// The most connections to open. Default 50. In the closed model each user holds one.
    public var connections: Int
    /// A request not answered within this counts as a timeout error. Default 5 s.
    public var timeout: Duration
    /// What a response must satisfy to count as a success.
    public var checks: Checks
    /// Pass/fail criteria on the whole run.
    public var thresholds: [Threshold]
    /// Stop the run as soon as a threshold fails. Default false.
    public var abortOnFail: Bool
    /// Event loops (threads) generating load when no group is given. Default: one per core.
    public var threads: Int
    /// Run on these event loops instead of a group of `threads` made for the run (one shard per loop).
    public var eventLoopGroup: (any EventLoopGroup)?
    /// How often the live series is sampled. Default 1 s.
    public var sampleInterval: Duration

    /// Creates a configuration; see each property for its default.
    public init(
        target: Target,
        requests: [RequestSpec]? = nil,
        model: LoadModel = .constantRate(100, duration: .seconds(10)),
        connections: Int = 50,
        timeout: Duration = .seconds(5),
        checks: Checks = Checks(),
        thresholds: [Threshold] = [],
        abortOnFail: Bool = false,
        threads: Int = System.coreCount,
        eventLoopGroup: (any EventLoopGroup)? = nil,
        sampleInterval: Duration = .seconds(1)
    ) {
        self.target = target
        self.requests = requests ?? [RequestSpec(path: target.path)]
        self.model = model
        self.connections = connections
        self.timeout = timeout
        self.checks = checks
        self.thresholds = thresholds
        self.abortOnFail = abortOnFail
        self.threads = threads
        self.eventLoopGroup = eventLoopGroup
        self.sampleInterval = sampleInterval
    }

    /// Throws a message naming the field when a value is out of range.
    public func validate() throws {
        guard !requests.isEmpty else { throw LoadError(.invalidArgument, "requests: at least one request is needed") }
        guard requests.allSatisfy({ $0.weight > 0 && $0.weight.isFinite }) else {
            throw LoadError(.invalidArgument, "requests: every weight must be a positive number")
        }
        guard !model.stages.isEmpty, model.duration > .zero else {
            throw LoadError(.invalidArgument, "--duration/--stage: the run needs a positive duration")
        }
        guard connections >= 1 else { throw LoadError(.invalidArgument, "--connections \(connections): must be at least 1") }
        guard timeout > .zero else { throw LoadError(.invalidArgument, "--timeout: must be positive") }
        guard threads >= 1 else { throw LoadError(.invalidArgument, "threads: must be at least 1") }
        if model.isOpen, model.peak <= 0 { throw LoadError(.invalidArgument, "--rate: must be positive somewhere in the run") }
    }
}

/// What makes a response a success: its status and, optionally, a piece of its body.
public struct Checks: Sendable, Hashable {
    /// Accepted statuses; empty means any status below 400.
    public var statuses: Set<Int>
    /// Text the body must contain, if any.
    public var bodyContains: String?

    /// Creates checks; by default any status below 400 passes.
    public init(statuses: Set<Int> = [], bodyContains: String? = nil) {
        self.statuses = statuses
        self.bodyContains = bodyContains
    }

    func passes(status: Int) -> Bool {
        statuses.isEmpty ? status < 400 : statuses.contains(status)
    }
}
