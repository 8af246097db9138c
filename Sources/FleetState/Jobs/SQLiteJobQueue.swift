import Foundation
import Logging
import NIOCore
import SQLiteNIO
import ServiceLifecycle
import Synchronization

/// Jobs in an SQLite file under the state directory: the embedded default of
/// `fleet demo`, shared by every worker process of the machine (WAL mode).
///
/// Every change is one statement, which SQLite runs under its write lock, so
/// a job is claimed by one process only. With no job ready, `claim` polls every
/// `pollInterval` until `wait` is over: no process can wake another. Run the
/// queue as a `Service` to close its connections after graceful shutdown.
public final class SQLiteJobQueue: JobQueue, Service {
    public let configuration: JobQueueConfiguration
    /// How often a waiting `claim` looks again. Default 50 ms.
    public let pollInterval: Duration
    let connections: [SQLiteConnection]
    private let next = Atomic<Int>(0)
    private let enqueues = Atomic<Int>(0)
    /// Completed and dead rows past their retention are purged on one enqueue in this many.
    static let purgeInterval = 256

    init(connections: [SQLiteConnection], configuration: JobQueueConfiguration, pollInterval: Duration) {
        self.connections = connections
        self.configuration = configuration
        self.pollInterval = pollInterval
    }

    /// Opens (creating if needed) the job database at `path` and its schema.
    /// - Parameters:
    ///   - path: the database file, e.g. `.fleet/jobs.sqlite`; its directory is created.
    ///   - configuration: the queue's name, retry policy and retention; several queues may share a file.
    ///   - connections: how many connections callers share. Default 2.
    ///   - pollInterval: how often a waiting `claim` looks again. Default 50 ms.
    ///   - logger: where SQLite logs.
    public static func open(
        path: String, configuration: JobQueueConfiguration, connections: Int = 2, pollInterval: Duration = .milliseconds(50),
        logger: Logger
    ) async throws -> SQLiteJobQueue {
        let opened = try await SharedSQLite.open(path: path, count: connections, logger: logger)
        do {
            try await SharedSQLite.createSchema(Self.schema, on: opened[0])
        } catch {
            for connection in opened { try? await connection.close() }
            throw FleetStateError(.backendUnavailable, "cannot create the job tables in \(path)", underlying: error)
        }
        return SQLiteJobQueue(connections: opened, configuration: configuration, pollInterval: pollInterval)
    }

    var connection: SQLiteConnection {
        connections[next.wrappingAdd(1, ordering: .relaxed).oldValue % connections.count]
    }

    /// Waits for graceful shutdown, then closes the connections.
    public func run() async throws {
        try? await gracefulShutdown()
        try await close()
    }

    /// Closes the connections; for a queue not run as a service.
    public func close() async throws {
        for connection in connections { try await connection.close() }
    }

    static func milliseconds(_ date: Date = Date()) -> Int {
        Int(date.timeIntervalSince1970 * 1000)
    }

    /// SQLite failures become `backendUnavailable`, as for the other primitives.
    func query(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        do {
            return try await connection.query(sql, binds)
        } catch {
            throw FleetStateError(.backendUnavailable, "job queue '\(configuration.name)' on SQLite failed", underlying: error)
        }
    }

    public func enqueue(_ request: JobRequest) async throws -> JobID {
        try configuration.validate(request)
        let now = Self.milliseconds()
        let queue = SQLiteData.text(configuration.name)
        if enqueues.wrappingAdd(1, ordering: .relaxed).oldValue % Self.purgeInterval == 0 {
            _ = try await query("DELETE FROM fleet_jobs WHERE expires_at <= ?", [.integer(now)])
        }
        let key = request.idempotencyKey.map(SQLiteData.text) ?? .null
        if request.idempotencyKey != nil {
            // An expired key no longer names its job; a new job may take it.
            _ = try await query(
                "UPDATE fleet_jobs SET live_key = NULL WHERE queue = ? AND live_key = ? AND key_expires_at <= ?",
                [queue, key, .integer(now)])
        }
        let rows = try await query(
            Self.enqueueSQL,
            [
                .text(JobID.random().rawValue), queue, .text(request.name), .blob(ByteBuffer(bytes: request.payload)),
                .integer(request.priority.rawValue), .integer(request.maxAttempts), key, key,
                .integer(now + Int(configuration.idempotencyTTL.milliseconds)), .integer(now + Int(request.delay.milliseconds)),
                .integer(now), .integer(now),
            ])
        guard let id = rows.first?.column("id")?.string else {
            throw FleetStateError(.backendUnavailable, "job queue enqueue: SQLite returned no id")
        }
        return JobID(uncheckedRawValue: id)
    }

    public func claim(consumer: String, limit: Int, visibility: Duration, wait: Duration) async throws -> [ClaimedJob] {
        let deadline = ContinuousClock.now + wait
        while true {
            let jobs = try await claimReady(limit: max(1, limit), visibility: visibility)
            let left = deadline - .now
            if !jobs.isEmpty || left <= .zero { return jobs }
            try await Task.sleep(for: min(pollInterval, left))
        }
    }

    private func claimReady(limit: Int, visibility: Duration) async throws -> [ClaimedJob] {
        let now = Self.milliseconds()
        let queue = SQLiteData.text(configuration.name)
        _ = try await query(
            Self.expireSQL, [.integer(now), .integer(now + Int(configuration.deadTTL.milliseconds)), queue, .integer(now)])
        let rows = try await query(
            Self.claimSQL, [.integer(now + Int(visibility.milliseconds)), .integer(now), queue, .integer(now), .integer(limit)])
        // RETURNING follows no order; hand the batch out by priority, then age.
        let sorted = rows.sorted {
            ($0.column("priority")?.integer ?? 0, $0.column("rowid")?.integer ?? 0)
                < ($1.column("priority")?.integer ?? 0, $1.column("rowid")?.integer ?? 0)
        }
        return sorted.compactMap { row in
            guard let id = row.column("id")?.string, let name = row.column("name")?.string,
                let payload = row.column("payload")?.blob, let attempt = row.column("attempts")?.integer
            else { return nil }
            return ClaimedJob(
                id: JobID(uncheckedRawValue: id), name: name, payload: Array(payload.readableBytesView), attempt: Int(attempt),
                idempotencyKey: row.column("idempotency_key")?.string)
        }
    }

    public func complete(_ job: ClaimedJob, result: [UInt8]) async throws {
        try configuration.validate(result: result)
        let now = Self.milliseconds()
        // A delivery that was reclaimed meanwhile may still complete: the work is done.
        _ = try await query(
            """
            UPDATE fleet_jobs SET state = 'completed', result = ?, payload = x'', updated_at = ?, expires_at = ?
            WHERE id = ? AND state = 'active'
            """,
            [
                .blob(ByteBuffer(bytes: result)), .integer(now), .integer(now + Int(configuration.completedTTL.milliseconds)),
                .text(job.id.rawValue),
            ])
    }

    public func fail(_ job: ClaimedJob, error: String) async throws {
        let now = Self.milliseconds()
        let backoff = configuration.retry.backoff(afterAttempt: job.attempt)
        _ = try await query(
            Self.failSQL,
            [
                .integer(now + Int(configuration.deadTTL.milliseconds)), .integer(now + Int(backoff.milliseconds)), .text(error),
                .integer(now), .text(job.id.rawValue), .integer(job.attempt),
            ])
    }

    public func release(_ job: ClaimedJob) async throws {
        _ = try await query(
            """
            UPDATE fleet_jobs SET state = 'waiting', attempts = attempts - 1, run_at = ?, updated_at = ?
            WHERE id = ? AND state = 'active' AND attempts = ?
            """,
            [.integer(Self.milliseconds()), .integer(Self.milliseconds()), .text(job.id.rawValue), .integer(job.attempt)])
    }

    public func status(of id: JobID) async throws -> JobStatus? {
        let rows = try await query(
            "SELECT name, state, attempts, result, last_error, run_at, enqueued_at, updated_at FROM fleet_jobs WHERE id = ? AND queue = ?",
            [.text(id.rawValue), .text(configuration.name)])
        guard let row = rows.first, let name = row.column("name")?.string,
            var state = row.column("state")?.string.flatMap(JobState.init(rawValue:)), let attempts = row.column("attempts")?.integer,
            let runAt = row.column("run_at")?.integer, let enqueued = row.column("enqueued_at")?.integer,
            let updated = row.column("updated_at")?.integer
        else { return nil }
        if state == .waiting, runAt > Self.milliseconds() { state = .delayed }
        return JobStatus(
            id: id, name: name, state: state, attempts: Int(attempts), result: row.column("result")?.blob.map { Array($0.readableBytesView) },
            lastError: row.column("last_error")?.string, enqueuedAt: JobStatus.date(milliseconds: enqueued), updatedAt: JobStatus.date(milliseconds: updated))
    }

    public func depth() async throws -> JobQueueDepth {
        let now = Self.milliseconds()
        let rows = try await query(Self.depthSQL, [.integer(now), .text(configuration.name)])
        guard let row = rows.first else { return JobQueueDepth(waiting: 0, delayed: 0, active: 0, dead: 0, oldestWaitingAge: nil) }
        func count(_ column: String) -> Int { Int(row.column(column)?.integer ?? 0) }
        return JobQueueDepth(
            waiting: count("waiting"), delayed: count("delayed"), active: count("active"), dead: count("dead"),
            oldestWaitingAge: row.column("oldest")?.integer.map { .milliseconds(max(0, now - $0)) })
    }
}
