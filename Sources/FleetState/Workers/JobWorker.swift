import Logging
import ServiceLifecycle
import Synchronization

/// Runs jobs from a `JobQueue`: claims them with a long poll, up to `concurrency`
/// at a time, hands each to the handler registered for its name, and completes it
/// with the handler's result or fails it with the error's text (the queue retries
/// with backoff, then dead-letters it).
///
/// Delivery is at least once: a worker killed mid-job leaves the job to be claimed
/// again after the visibility timeout, so a handler's effect must be idempotent
/// (`ClaimedJob.idempotencyKey` as a unique key). A graceful shutdown stops
/// claiming, lets the jobs in hand finish until `shutdownDeadline`, then releases
/// the rest so another worker takes them at once.
public final class JobWorker: Service {
    /// Processes one job; what it returns is stored as the job's result.
    public typealias Handler = @Sendable (ClaimedJob) async throws -> [UInt8]

    let queue: any JobQueue
    let handlers: [String: Handler]
    let configuration: JobWorkerConfiguration
    let logger: Logger
    /// Jobs claimed and neither completed, failed nor released: whoever removes a job reports it.
    let inHand = Mutex<[JobID: ClaimedJob]>([:])
    let totals = Mutex(JobWorkerStatistics())
    let stopping = Atomic(false)

    /// - Parameters:
    ///   - queue: where the jobs come from.
    ///   - handlers: a handler per job name; a job with no handler fails.
    ///   - configuration: concurrency, visibility, long poll and shutdown deadline.
    ///   - logger: where the worker logs each failure.
    public init(queue: any JobQueue, handlers: [String: Handler], configuration: JobWorkerConfiguration, logger: Logger) {
        precondition(configuration.concurrency > 0, "a JobWorker needs a concurrency of at least 1")
        self.queue = queue
        self.handlers = handlers
        self.configuration = configuration
        self.logger = logger
    }

    /// What the worker has done so far.
    public var statistics: JobWorkerStatistics { self.totals.withLock { $0 } }

    /// How many jobs the worker holds now.
    public var jobsInHand: Int { self.inHand.withLock { $0.count } }

    public func run() async throws {
        let (freed, freeSlot) = AsyncStream.makeStream(of: Void.self)
        await withDiscardingTaskGroup { group in
            await withGracefulShutdownHandler {
                await self.claimLoop(group: &group, freed: freed, freeSlot: freeSlot)
            } onGracefulShutdown: {
                self.stopping.store(true, ordering: .relaxed)
                freeSlot.yield()
            }
            await self.drain()
            group.cancelAll()
        }
    }

    /// Claims while there is room and no stop was asked for; each job runs in its own child task.
    private func claimLoop(group: inout DiscardingTaskGroup, freed: AsyncStream<Void>, freeSlot: AsyncStream<Void>.Continuation) async {
        var slots = freed.makeAsyncIterator()
        while !self.isStopping {
            let room = self.configuration.concurrency - self.jobsInHand
            guard room > 0 else {
                _ = await slots.next()
                continue
            }
            let jobs: [ClaimedJob]
            do {
                jobs = try await self.queue.claim(
                    consumer: self.configuration.consumer, limit: room, visibility: self.configuration.visibility, wait: self.configuration.poll
                )
            } catch {
                self.logger.error("cannot claim jobs", metadata: ["error.message": "\(error)"])
                try? await Task.sleep(for: self.configuration.retryDelay)
                continue
            }
            // Claimed as the stop came: not started, so given back at once.
            guard !self.isStopping else {
                await self.release(jobs)
                break
            }
            self.inHand.withLock { held in
                for job in jobs { held[job.id] = job }
            }
            for job in jobs {
                group.addTask {
                    await self.process(job)
                    freeSlot.yield()
                }
            }
        }
    }

    private var isStopping: Bool { self.stopping.load(ordering: .relaxed) || Task.isCancelled }

    private func process(_ job: ClaimedJob) async {
        guard let handler = self.handlers[job.name] else {
            await self.report(job, failure: "no handler for jobs named \(job.name)")
            return
        }
        let start = ContinuousClock.now
        let outcome: Result<[UInt8], any Error>
        do {
            outcome = .success(try await handler(job))
        } catch {
            outcome = .failure(error)
        }
        let busy = ContinuousClock.now - start
        self.totals.withLock { $0.busySeconds += Double(busy.components.seconds) + Double(busy.components.attoseconds) * 1e-18 }
        switch outcome {
        case .success(let result): await self.report(job, result: result)
        case .failure(let error): await self.report(job, failure: "\(error)")
        }
    }

    private func report(_ job: ClaimedJob, result: [UInt8]) async {
        guard self.take(job) else { return }
        do {
            try await self.queue.complete(job, result: result)
            self.totals.withLock { $0.completed += 1 }
        } catch {
            self.logger.error("cannot complete a job; it runs again after the visibility timeout", metadata: self.metadata(job, error))
        }
    }

    private func report(_ job: ClaimedJob, failure: String) async {
        guard self.take(job) else { return }
        self.logger.warning("job failed", metadata: ["job.id": "\(job.id)", "job.name": "\(job.name)", "job.attempt": "\(job.attempt)", "error.message": "\(failure)"])
        do {
            try await self.queue.fail(job, error: failure)
            self.totals.withLock { $0.failed += 1 }
        } catch {
            self.logger.error("cannot fail a job; it runs again after the visibility timeout", metadata: self.metadata(job, error))
        }
    }

    /// True when `job` was still in hand: then the caller reports it, and nobody else will.
    private func take(_ job: ClaimedJob) -> Bool {
        self.inHand.withLock { $0.removeValue(forKey: job.id) != nil }
    }

    /// Waits for the jobs in hand until the shutdown deadline, then releases those left.
    private func drain() async {
        let deadline = ContinuousClock.now + self.configuration.shutdownDeadline
        while self.jobsInHand > 0 && ContinuousClock.now < deadline && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let left = self.inHand.withLock { held in
            defer { held.removeAll() }
            return Array(held.values)
        }
        await self.release(left)
    }

    private func release(_ jobs: [ClaimedJob]) async {
        for job in jobs {
            do {
                try await self.queue.release(job)
                self.totals.withLock { $0.released += 1 }
            } catch {
                self.logger.error("cannot release a job; it runs again after the visibility timeout", metadata: self.metadata(job, error))
            }
        }
        if !jobs.isEmpty { self.logger.info("released unfinished jobs", metadata: ["jobs.released": "\(jobs.count)"]) }
    }

    private func metadata(_ job: ClaimedJob, _ error: any Error) -> Logger.Metadata {
        ["job.id": "\(job.id)", "job.name": "\(job.name)", "error.message": "\(error)"]
    }
}
