import FleetRedis
import Foundation
import NIOCore

/// Jobs in Redis Streams, for every worker of every machine (the BullMQ and
/// Sidekiq role), delivered at least once.
///
/// One stream per priority read by one consumer group; a job is acknowledged
/// and deleted from its stream only when completed, failed or released, so a
/// job whose consumer died stays in the group's pending list until another
/// consumer reclaims it with `XAUTOCLAIM` after the visibility timeout. Delayed
/// jobs and retry backoffs wait in a sorted set that `claim` promotes when due,
/// by Redis's clock. Each job has a hash holding its state, attempts and result.
///
/// Every operation is one Lua script, so it is atomic and one round trip. All
/// keys share the hash tag `{<prefix><queue>}`, so a cluster keeps them on one slot.
/// Durability is Redis's: with `appendonly yes` and `appendfsync always`, an
/// acknowledged enqueue survives a Redis restart; with `everysec`, up to a second may be lost.
public struct RedisJobQueue: JobQueue {
    /// The consumer group every worker of the queue joins.
    static let group = "workers"

    public let configuration: JobQueueConfiguration
    let redis: RedisClient
    let keys: Keys

    struct Keys {
        /// The streams, by `JobPriority.rawValue`.
        let streams: [String]
        let delayed: String
        let dead: String
        /// Put before a job id for its hash, before an idempotency key for its id.
        let job: String
        let idempotency: String

        init(prefix: String, queue: String) {
            let tag = "{\(prefix)\(queue)}:"
            streams = JobPriority.allCases.map { tag + "stream:\($0.rawValue)" }
            delayed = tag + "delayed"
            dead = tag + "dead"
            job = tag + "job:"
            idempotency = tag + "idempotency:"
        }
    }

    /// - Parameters:
    ///   - redis: a running `RedisClient`; a long-polling `claim` leases one of its connections.
    ///   - configuration: the queue's name, retry policy and retention.
    ///   - prefix: put before the queue's name in every key. Default `fleet:jobs:`.
    public init(redis: RedisClient, configuration: JobQueueConfiguration, prefix: String = "fleet:jobs:") {
        self.redis = redis
        self.configuration = configuration
        self.keys = Keys(prefix: prefix, queue: configuration.name)
    }

    public func enqueue(_ request: JobRequest) async throws -> JobID {
        try configuration.validate(request)
        let id = JobID.random()
        var scriptKeys = [keys.job + id.rawValue, keys.streams[request.priority.rawValue], keys.delayed]
        if let key = request.idempotencyKey { scriptKeys.append(keys.idempotency + key) }
        let reply = try await run(
            Self.enqueueScript, keys: scriptKeys,
            arguments: [
                ByteBuffer(string: id.rawValue), ByteBuffer(string: request.name), ByteBuffer(bytes: request.payload),
                ByteBuffer(string: String(request.priority.rawValue)), ByteBuffer(string: String(request.delay.milliseconds)),
                ByteBuffer(string: String(request.maxAttempts)), ByteBuffer(string: String(configuration.idempotencyTTL.milliseconds)),
                ByteBuffer(string: Self.group), ByteBuffer(string: request.idempotencyKey ?? ""),
            ])
        guard let existing = reply.string else { throw Self.unexpected(reply, in: "enqueue") }
        return JobID(uncheckedRawValue: existing)
    }

    public func complete(_ job: ClaimedJob, result: [UInt8]) async throws {
        try configuration.validate(result: result)
        _ = try await run(
            Self.completeScript, keys: [keys.job + job.id.rawValue] + keys.streams,
            arguments: [
                ByteBuffer(string: Self.group), ByteBuffer(bytes: result),
                ByteBuffer(string: String(configuration.completedTTL.milliseconds)),
            ])
    }

    public func fail(_ job: ClaimedJob, error: String) async throws {
        let backoff = configuration.retry.backoff(afterAttempt: job.attempt)
        _ = try await run(
            Self.failScript, keys: [keys.job + job.id.rawValue] + keys.streams + [keys.delayed, keys.dead],
            arguments: [
                Self.group, String(job.attempt), error, String(backoff.milliseconds),
                String(configuration.deadTTL.milliseconds), job.id.rawValue,
            ].map { ByteBuffer(string: $0) })
    }

    public func release(_ job: ClaimedJob) async throws {
        _ = try await run(
            Self.releaseScript, keys: [keys.job + job.id.rawValue] + keys.streams,
            arguments: [Self.group, String(job.attempt), job.id.rawValue].map { ByteBuffer(string: $0) })
    }

    public func status(of id: JobID) async throws -> JobStatus? {
        let reply = try await wrap {
            try await redis.send("HMGET", keys.job + id.rawValue, "n", "st", "a", "r", "err", "e", "u")
        }
        guard let fields = reply.array, fields.count == 7, let name = fields[0].string,
            let state = fields[1].string.flatMap(JobState.init(rawValue:)), let attempts = fields[2].int,
            let enqueued = fields[5].int, let updated = fields[6].int
        else { return nil }
        return JobStatus(
            id: id, name: name, state: state, attempts: attempts, result: fields[3].buffer.map { Array($0.readableBytesView) },
            lastError: fields[4].string, enqueuedAt: JobStatus.date(milliseconds: enqueued), updatedAt: JobStatus.date(milliseconds: updated))
    }

    public func depth() async throws -> JobQueueDepth {
        let reply = try await run(
            Self.depthScript, keys: keys.streams + [keys.delayed, keys.dead], arguments: [ByteBuffer(string: Self.group)])
        guard let values = reply.array?.compactMap(\.int), values.count == 5 else { throw Self.unexpected(reply, in: "depth") }
        return JobQueueDepth(
            waiting: values[0], delayed: values[1], active: values[2], dead: values[3],
            oldestWaitingAge: values[4] < 0 ? nil : .milliseconds(values[4]))
    }

    func run(_ script: RedisScript, keys: [String], arguments: [ByteBuffer]) async throws -> RESPValue {
        try await wrap { try await redis.run(script, keys: keys, arguments: arguments) }
    }

    /// Redis failures become `backendUnavailable`, as for the other primitives.
    func wrap(_ body: () async throws -> RESPValue) async throws -> RESPValue {
        do {
            return try await body()
        } catch let error as RedisError {
            throw FleetStateError(.backendUnavailable, "job queue '\(configuration.name)' on Redis failed", underlying: error)
        }
    }

    static func unexpected(_ reply: RESPValue, in operation: String) -> FleetStateError {
        FleetStateError(.backendUnavailable, "job queue \(operation): unexpected Redis reply \(reply)")
    }
}
