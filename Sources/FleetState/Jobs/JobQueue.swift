/// One queue of jobs (e.g. "default"), delivered at least once.
///
/// Backends: `RedisJobQueue` (Streams and a consumer group, for every machine),
/// `SQLiteJobQueue` (embedded, one file under the state directory, correct
/// across the worker processes of one machine), `MemoryJobQueue` (one process, tests).
public protocol JobQueue: Sendable {
    /// Adds a job and returns its id; with an idempotency key already used, the first job's id.
    func enqueue(_ request: JobRequest) async throws -> JobID
    /// Up to `limit` jobs, waiting at most `wait` for one (long poll), reclaiming expired ones first.
    /// - Parameters:
    ///   - consumer: names the claimer (e.g. host and pid), for Redis's pending list and for logs.
    ///   - limit: at most this many jobs; at least 1.
    ///   - visibility: how long the jobs stay invisible to other consumers; one value per queue.
    ///   - wait: how long to wait when no job is ready; zero answers at once.
    func claim(consumer: String, limit: Int, visibility: Duration, wait: Duration) async throws -> [ClaimedJob]
    /// Stores the result and removes the job from the queue (its status stays readable for a while).
    func complete(_ job: ClaimedJob, result: [UInt8]) async throws
    /// Retry after `JobRetryPolicy`'s backoff, or move to the dead-letter list after maxAttempts.
    func fail(_ job: ClaimedJob, error: String) async throws
    /// Give a job back unprocessed (graceful shutdown): it is claimable again at once, attempt not counted.
    func release(_ job: ClaimedJob) async throws
    /// The job's state, attempts and result; nil for an unknown or expired id.
    func status(of id: JobID) async throws -> JobStatus?
    /// How many jobs wait, are delayed, active and dead.
    func depth() async throws -> JobQueueDepth
}
