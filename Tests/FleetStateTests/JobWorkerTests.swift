import FleetState
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// `JobWorker` on the in-process queue: handlers by name, the concurrency limit,
/// failures with their text, and a graceful stop that finishes or gives back.
@Suite struct JobWorkerTests {
    struct Boom: Error, CustomStringConvertible {
        var description: String { "the printer is on fire" }
    }

    func configuration(concurrency: Int = 2, deadline: Duration = .seconds(5)) -> JobWorkerConfiguration {
        var configuration = JobWorkerConfiguration(consumer: "test")
        configuration.concurrency = concurrency
        configuration.poll = .milliseconds(50)
        configuration.shutdownDeadline = deadline
        return configuration
    }

    /// Runs `worker` in a service group until `body` returns, then stops it gracefully and waits.
    func running(_ worker: JobWorker, _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(services: [worker], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    func waitUntil(_ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("timed out")
    }

    @Test func runsEachJobWithItsHandlerAtMostConcurrencyAtOnce() async throws {
        let queue = MemoryJobQueue(configuration: try JobQueueConfiguration())
        let running = Mutex((now: 0, most: 0))
        let handler: JobWorker.Handler = { job in
            running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            try await Task.sleep(for: .milliseconds(30))
            running.withLock { $0.now -= 1 }
            return Array("done \(String(decoding: job.payload, as: UTF8.self))".utf8)
        }
        let worker = JobWorker(queue: queue, handlers: ["work": handler], configuration: self.configuration(concurrency: 3), logger: Logger(label: "test"))
        var ids: [JobID] = []
        for index in 0..<12 { ids.append(try await queue.enqueue(JobRequest(name: "work", payload: Array("\(index)".utf8)))) }
        try await self.running(worker) {
            try await self.waitUntil { worker.statistics.completed == 12 }
        }
        for (index, id) in ids.enumerated() {
            let status = try #require(try await queue.status(of: id))
            #expect(status.state == .completed)
            #expect(status.result == Array("done \(index)".utf8))
        }
        #expect(running.withLock { $0.most } == 3, "the limit is reached and never passed")
    }

    @Test func aThrowingHandlerFailsTheJobWithTheErrorsText() async throws {
        let queue = MemoryJobQueue(configuration: try JobQueueConfiguration())
        let worker = JobWorker(
            queue: queue, handlers: ["print": { _ in throw Boom() }], configuration: self.configuration(), logger: Logger(label: "test")
        )
        let id = try await queue.enqueue(JobRequest(name: "print", payload: []))
        let orphan = try await queue.enqueue(JobRequest(name: "nobody-handles-this", payload: []))
        try await self.running(worker) {
            try await self.waitUntil { worker.statistics.failed >= 2 }
        }
        #expect(try await queue.status(of: id)?.lastError == "the printer is on fire")
        #expect(try await queue.status(of: orphan)?.lastError?.contains("no handler") == true)
        #expect(worker.statistics.completed == 0)
    }

    @Test func aGracefulStopFinishesShortJobsAndGivesBackTheRestAtTheDeadline() async throws {
        let queue = MemoryJobQueue(configuration: try JobQueueConfiguration())
        let handler: JobWorker.Handler = { job in
            try await Task.sleep(for: job.name == "short" ? .milliseconds(100) : .seconds(30))
            return []
        }
        let worker = JobWorker(
            queue: queue, handlers: ["short": handler, "long": handler], configuration: self.configuration(deadline: .milliseconds(400)),
            logger: Logger(label: "test")
        )
        let short = try await queue.enqueue(JobRequest(name: "short", payload: []))
        let long = try await queue.enqueue(JobRequest(name: "long", payload: []))
        let start = ContinuousClock.now
        try await self.running(worker) {
            try await self.waitUntil { worker.jobsInHand == 2 }
        }
        #expect(ContinuousClock.now - start < .seconds(5), "the stop waited for the deadline, not for the long job")
        #expect(try await queue.status(of: short)?.state == .completed)
        let given = try #require(try await queue.status(of: long))
        #expect(given.state == .waiting, "released, claimable again at once")
        #expect(worker.statistics.released == 1)
        let again = try await queue.claim(consumer: "other", limit: 1, visibility: .seconds(30), wait: .zero)
        #expect(again.map(\.id) == [long])
    }
}
