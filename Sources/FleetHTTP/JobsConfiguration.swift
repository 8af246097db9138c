/// The job queue and its workers, from the environment: `JOBS_QUEUE`,
/// `JOBS_VISIBILITY`, `JOBS_MAX_ATTEMPTS`, `JOBS_CONCURRENCY`, `JOBS_POLL`, `JOBS_SHUTDOWN_DEADLINE`.
public struct JobsConfiguration: Sendable {
    /// The queue's name. Default `default`.
    public var queue = "default"
    /// How long a claimed job stays invisible to other workers. Default 30 s.
    public var visibility: Duration = .seconds(30)
    /// Attempts before a failing job is dead-lettered. Default 5.
    public var maxAttempts = 5
    /// Jobs one worker process runs at once. Default 4.
    public var concurrency = 4
    /// The longest one claim waits for a job. Default 2 s.
    public var poll: Duration = .seconds(2)
    /// How long jobs in hand may run on after SIGTERM before they are given back. Default 20 s.
    public var shutdownDeadline: Duration = .seconds(20)

    public init() {}

    /// Reads the `JOBS_*` variables; a bad value names the variable.
    init(environment env: EnvironmentReader) throws(ConfigurationError) {
        if let queue = env.string("JOBS_QUEUE") {
            self.queue = queue
        }
        self.visibility = try env.duration("JOBS_VISIBILITY") ?? self.visibility
        self.maxAttempts = try env.integer("JOBS_MAX_ATTEMPTS", in: 1...100) ?? self.maxAttempts
        self.concurrency = try env.integer("JOBS_CONCURRENCY", in: 1...1024) ?? self.concurrency
        self.poll = try env.duration("JOBS_POLL") ?? self.poll
        self.shutdownDeadline = try env.duration("JOBS_SHUTDOWN_DEADLINE") ?? self.shutdownDeadline
    }
}
