import Atomics
import CoreMetrics
import NIOPosix
import ServiceLifecycle

/// Runs CPU-bound or blocking work on a bounded pool of threads of its own, so
/// neither the event loops nor Swift's concurrency pool stall behind it.
///
/// At most `threads` jobs run at once and at most `queueLimit` more wait; a job
/// past that is refused at once with `OffloadQueueFull` (503 with `Retry-After`
/// through `ProblemMiddleware`) instead of letting every caller's latency grow.
/// A job whose task is cancelled while it waits never runs.
///
/// ```swift
/// let digest = try await offload.run { SHA256.hash(data: body) }
/// ```
///
/// Run it as a service after the server, so a graceful shutdown stops its threads
/// once the requests that use it have drained.
public final class Offload: Service, Sendable {
    /// The pool's size and queue limit.
    public let configuration: OffloadConfiguration
    let pool: NIOThreadPool
    /// Jobs admitted and not finished: waiting plus running.
    let admitted = ManagedAtomic<Int>(0)
    let runningJobs = ManagedAtomic<Int>(0)
    let metrics: OffloadMetrics

    /// Starts the pool's threads.
    /// - Parameter configuration: the number of threads and how many jobs may wait.
    public init(configuration: OffloadConfiguration = OffloadConfiguration()) {
        self.configuration = configuration
        self.pool = NIOThreadPool(numberOfThreads: configuration.threads)
        self.metrics = OffloadMetrics(pool: configuration.name)
        self.pool.start()
    }

    /// Runs `body` on one of the pool's threads and returns its value.
    /// - Throws: `OffloadQueueFull` when `queueLimit` jobs already wait; `CancellationError`
    ///   when the task is cancelled before the job starts; whatever `body` throws.
    public func run<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        let capacity = self.configuration.threads + self.configuration.queueLimit
        guard self.admitted.wrappingIncrementThenLoad(ordering: .relaxed) <= capacity else {
            self.admitted.wrappingDecrement(ordering: .relaxed)
            self.metrics.rejected.increment()
            throw OffloadQueueFull(queueLimit: self.configuration.queueLimit, retryAfter: self.configuration.retryAfter)
        }
        defer { self.admitted.wrappingDecrement(ordering: .relaxed) }
        try Task.checkCancellation()
        let queuedAt = ContinuousClock.now
        do {
            return try await self.pool.runIfActive {
                self.metrics.wait.recordNanoseconds((ContinuousClock.now - queuedAt).nanoseconds)
                self.runningJobs.wrappingIncrement(ordering: .relaxed)
                defer { self.runningJobs.wrappingDecrement(ordering: .relaxed) }
                return try body()
            }
        } catch is CancellationError where Task.isCancelled {
            // The pool dropped the job when its turn came: `body` runs on a thread and never sees the cancellation.
            self.metrics.cancelled.increment()
            throw CancellationError()
        }
    }

    /// Jobs waiting for a thread and jobs running now; a reading, not a snapshot of one instant.
    public var load: (queued: Int, running: Int) {
        let running = self.runningJobs.load(ordering: .relaxed)
        return (max(0, self.admitted.load(ordering: .relaxed) - running), running)
    }

    /// Waits for a graceful shutdown, then stops the threads once the jobs already queued have run.
    public func run() async throws {
        try? await gracefulShutdown()
        try await self.pool.shutdownGracefully()
    }
}

