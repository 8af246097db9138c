import Foundation
import Synchronization

/// Jobs in this process's memory, for unit tests of one process: nothing is
/// shared with other processes and nothing survives a restart. Same rules as
/// the other backends: priorities, delays, visibility, retries, dead letters.
public final class MemoryJobQueue: JobQueue {
    struct Record {
        var request: JobRequest
        var state: JobState
        var attempts = 0
        var result: [UInt8]?
        var lastError: String?
        var enqueuedAt: Date
        var updatedAt: Date
        /// When a delayed job becomes claimable, or when an active job's visibility ends.
        var due: ContinuousClock.Instant
        /// Order among waiting jobs of one priority.
        var sequence = 0
    }

    struct State {
        var jobs: [JobID: Record] = [:]
        var idempotency: [String: (id: JobID, expires: ContinuousClock.Instant)] = [:]
        var sequence = 0
    }

    public let configuration: JobQueueConfiguration
    private let state = Mutex(State())

    public init(configuration: JobQueueConfiguration) {
        self.configuration = configuration
    }

    public func enqueue(_ request: JobRequest) async throws -> JobID {
        try configuration.validate(request)
        let now = ContinuousClock.now
        let date = Date()
        let ttl = configuration.idempotencyTTL
        return state.withLock { state in
            if let key = request.idempotencyKey, let existing = state.idempotency[key], existing.expires > now {
                return existing.id
            }
            let id = JobID.random()
            state.sequence += 1
            let delayed = request.delay > .zero
            state.jobs[id] = Record(
                request: request, state: delayed ? .delayed : .waiting, enqueuedAt: date, updatedAt: date,
                due: now + request.delay, sequence: state.sequence)
            if let key = request.idempotencyKey { state.idempotency[key] = (id, now + ttl) }
            return id
        }
    }

    public func claim(consumer: String, limit: Int, visibility: Duration, wait: Duration) async throws -> [ClaimedJob] {
        let deadline = ContinuousClock.now + wait
        while true {
            let claimed = claimReady(limit: max(1, limit), visibility: visibility)
            if !claimed.isEmpty || ContinuousClock.now >= deadline { return claimed }
            try await Task.sleep(for: min(.milliseconds(10), deadline - ContinuousClock.now))
        }
    }

    private func claimReady(limit: Int, visibility: Duration) -> [ClaimedJob] {
        let now = ContinuousClock.now
        let date = Date()
        return state.withLock { state in
            // Expired deliveries count as an attempt; past maxAttempts they are dead, as in the other backends.
            for (id, record) in state.jobs where record.state == .active && record.due <= now {
                if record.attempts >= record.request.maxAttempts {
                    state.jobs[id]?.state = .dead
                    state.jobs[id]?.lastError = "visibility timeout expired on attempt \(record.attempts)"
                } else {
                    state.jobs[id]?.state = .waiting
                    state.jobs[id]?.sequence = -record.sequence
                }
                state.jobs[id]?.updatedAt = date
            }
            for (id, record) in state.jobs where record.state == .delayed && record.due <= now {
                state.sequence += 1
                state.jobs[id]?.state = .waiting
                state.jobs[id]?.sequence = state.sequence
            }
            let ready = state.jobs.filter { $0.value.state == .waiting }
                .sorted { ($0.value.request.priority.rawValue, $0.value.sequence) < ($1.value.request.priority.rawValue, $1.value.sequence) }
                .prefix(limit)
            return ready.map { id, record in
                state.jobs[id]?.state = .active
                state.jobs[id]?.attempts += 1
                state.jobs[id]?.due = now + visibility
                state.jobs[id]?.updatedAt = date
                return ClaimedJob(
                    id: id, name: record.request.name, payload: record.request.payload, attempt: record.attempts + 1,
                    idempotencyKey: record.request.idempotencyKey)
            }
        }
    }

    public func complete(_ job: ClaimedJob, result: [UInt8]) async throws {
        try configuration.validate(result: result)
        state.withLock { state in
            guard state.jobs[job.id]?.state == .active else { return }
            state.jobs[job.id]?.state = .completed
            state.jobs[job.id]?.result = result
            state.jobs[job.id]?.updatedAt = Date()
        }
    }

    public func fail(_ job: ClaimedJob, error: String) async throws {
        let backoff = configuration.retry.backoff(afterAttempt: job.attempt)
        state.withLock { state in
            guard let record = state.jobs[job.id], record.state == .active, record.attempts == job.attempt else { return }
            state.jobs[job.id]?.state = record.attempts >= record.request.maxAttempts ? .dead : .delayed
            state.jobs[job.id]?.due = ContinuousClock.now + backoff
            state.jobs[job.id]?.lastError = error
            state.jobs[job.id]?.updatedAt = Date()
        }
    }

    public func release(_ job: ClaimedJob) async throws {
        state.withLock { state in
            guard let record = state.jobs[job.id], record.state == .active, record.attempts == job.attempt else { return }
            state.jobs[job.id]?.state = .waiting
            state.jobs[job.id]?.attempts -= 1
            state.jobs[job.id]?.sequence = -record.sequence
            state.jobs[job.id]?.updatedAt = Date()
        }
    }

    public func status(of id: JobID) async throws -> JobStatus? {
        state.withLock { state in
            state.jobs[id].map { record in
                JobStatus(
                    id: id, name: record.request.name, state: record.state, attempts: record.attempts, result: record.result,
                    lastError: record.lastError, enqueuedAt: record.enqueuedAt, updatedAt: record.updatedAt)
            }
        }
    }

    public func depth() async throws -> JobQueueDepth {
        state.withLock { state in
            var depth = JobQueueDepth(waiting: 0, delayed: 0, active: 0, dead: 0, oldestWaitingAge: nil)
            var oldest: Date?
            for record in state.jobs.values {
                switch record.state {
                case .waiting:
                    depth.waiting += 1
                    oldest = min(oldest ?? record.enqueuedAt, record.enqueuedAt)
                case .delayed: depth.delayed += 1
                case .active: depth.active += 1
                case .dead: depth.dead += 1
                case .completed: break
                }
            }
            depth.oldestWaitingAge = oldest.map { .milliseconds(Int64(Date().timeIntervalSince($0) * 1000)) }
            return depth
        }
    }
}
