import NIOCore
import ServiceLifecycle

/// Runs the jobs of tasks that prefer it on one NIO event loop.
///
/// swift-otel hands every span to its processor through an `AsyncStream`;
/// each hand-off resumes the consumer task, and on the global pool that is a
/// thread wake-up per span, paid on the event loop that served the request.
/// Enqueued on an event loop instead, a span handed off on that loop costs a
/// queue append, and one from another busy loop an append under a lock.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}

/// A service whose tasks, and the tasks they start, run on one event loop.
struct EventLoopBoundService: Service {
    let base: any Service
    let executor: EventLoopTaskExecutor

    func run() async throws {
        try await withTaskExecutorPreference(self.executor) {
            try await self.base.run()
        }
    }
}
