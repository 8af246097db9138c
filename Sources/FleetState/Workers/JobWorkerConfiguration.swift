/// How a `JobWorker` takes jobs from its queue.
public struct JobWorkerConfiguration: Sendable {
    /// This process's name in the queue (Redis' consumer), unique per worker process. Default `worker-<pid>`.
    public var consumer: String
    /// The most jobs this process runs at once. Default 4.
    public var concurrency: Int = 4
    /// How long a claimed job stays invisible to other consumers; a job still in hand
    /// after this may be claimed again (its worker is presumed dead). Default 30 s.
    public var visibility: Duration = .seconds(30)
    /// The longest one claim waits for a job (long poll); also the longest a stop waits for a claim in flight. Default 2 s.
    public var poll: Duration = .seconds(2)
    /// On graceful shutdown, how long jobs in hand may run on; those unfinished by then are released. Default 20 s.
    public var shutdownDeadline: Duration = .seconds(20)
    /// How long to wait before claiming again after the queue failed (a Redis outage). Default 1 s.
    public var retryDelay: Duration = .seconds(1)

    /// - Parameter consumer: this process's name in the queue.
    public init(consumer: String) {
        self.consumer = consumer
    }
}

/// What a `JobWorker` has done since it started: totals for `/metrics`.
public struct JobWorkerStatistics: Sendable, Equatable {
    /// Jobs whose handler returned and which were completed.
    public var completed = 0
    /// Jobs whose handler threw (or had no handler) and which were failed, for a retry or the dead-letter list.
    public var failed = 0
    /// Jobs given back unprocessed on shutdown.
    public var released = 0
    /// Time spent in handlers, in seconds.
    public var busySeconds: Double = 0

    public init() {}
}
