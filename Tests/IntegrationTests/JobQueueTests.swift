import FleetState
import Foundation
import Testing

/// The job queue contract (issue #12) on every backend: two queues on one store
/// stand for two workers, so whatever one enqueues or claims the other sees.
@Suite struct JobQueueTests {
    @Test(arguments: JobBackend.available)
    func statusAndResultByID(_ backend: JobBackend) async throws {
        try await backend.withQueues { producer, worker in
            let id = try await producer.enqueue(.test("report", #"{"user":1}"#))
            #expect(try await producer.status(of: id)?.state == .waiting)
            let job = try #require(try await worker.claimOne())
            #expect(job.id == id && job.name == "report" && job.attempt == 1 && job.payload == Array(#"{"user":1}"#.utf8))
            #expect(try await producer.status(of: id)?.state == .active)
            try await worker.complete(job, result: Array("done".utf8))
            let status = try #require(try await producer.status(of: id))
            #expect(status.state == .completed && status.attempts == 1 && status.result == Array("done".utf8))
            #expect(status.name == "report" && status.updatedAt >= status.enqueuedAt)
            #expect(try await producer.status(of: JobID(rawValue: "no-such-job")!) == nil)
            let depth = try await producer.depth()
            #expect(depth.waiting == 0 && depth.active == 0 && depth.delayed == 0 && depth.dead == 0)
        }
    }

    @Test(arguments: JobBackend.available)
    func priorityOrderThenFIFO(_ backend: JobBackend) async throws {
        try await backend.withQueues { producer, worker in
            for (text, priority) in [("low", JobPriority.low), ("normal1", .normal), ("high", .high), ("normal2", .normal)] {
                _ = try await producer.enqueue(.test("p", text, priority: priority))
            }
            #expect(try await producer.depth().waiting == 4)
            var order: [String] = []
            while let job = try await worker.claimOne() {
                order.append(String(decoding: job.payload, as: UTF8.self))
                try await worker.complete(job, result: [])
            }
            #expect(order == ["high", "normal1", "normal2", "low"])
        }
    }

    @Test(arguments: JobBackend.available)
    func idempotencyKeyReturnsTheSameID(_ backend: JobBackend) async throws {
        try await backend.withQueues { first, second in
            var request = JobRequest.test("charge", "order-7")
            request.idempotencyKey = "order-7"
            let id = try await first.enqueue(request)
            #expect(try await second.enqueue(request) == id)
            request.idempotencyKey = "order-8"
            #expect(try await second.enqueue(request) != id)
            #expect(try await first.depth().waiting == 2)
            let job = try #require(try await second.claimOne())
            #expect(job.idempotencyKey == "order-7")
        }
    }

    @Test(arguments: JobBackend.available)
    func delayedJobDoesNotRunEarly(_ backend: JobBackend) async throws {
        try await backend.withQueues { producer, worker in
            var request = JobRequest.test("later")
            request.delay = .milliseconds(800)
            let enqueued = ContinuousClock.now
            let id = try await producer.enqueue(request)
            #expect(try await worker.claimOne() == nil)
            #expect(try await producer.status(of: id)?.state == .delayed)
            #expect(try await producer.depth().delayed == 1)
            // A long poll that starts early must neither return the job early nor miss it.
            let job = try #require(try await worker.claimOne(wait: .seconds(5)))
            let waited = ContinuousClock.now - enqueued
            #expect(job.id == id)
            #expect(waited >= .milliseconds(790), "claimed after \(waited)")
            #expect(waited < .seconds(4), "claimed after \(waited)")
        }
    }

    @Test(arguments: JobBackend.available)
    func deadLetterAfterMaxAttempts(_ backend: JobBackend) async throws {
        try await backend.withQueues { producer, worker in
            var request = JobRequest.test("flaky")
            request.maxAttempts = 3
            let id = try await producer.enqueue(request)
            for attempt in 1...3 {
                let job = try #require(try await worker.claimOne(wait: .seconds(5)), "attempt \(attempt)")
                #expect(job.attempt == attempt)
                try await worker.fail(job, error: "boom \(attempt)")
                if attempt < 3 { #expect(try await producer.status(of: id).map { [.delayed, .waiting].contains($0.state) } == true) }
            }
            let status = try #require(try await producer.status(of: id))
            #expect(status.state == .dead && status.attempts == 3 && status.lastError == "boom 3")
            #expect(try await worker.claimOne(wait: .milliseconds(200)) == nil)
            let depth = try await producer.depth()
            #expect(depth.dead == 1 && depth.waiting == 0 && depth.delayed == 0 && depth.active == 0)
        }
    }

    @Test(arguments: JobBackend.available)
    func jobOfAVanishedConsumerIsReclaimed(_ backend: JobBackend) async throws {
        try await backend.withQueues { producer, worker in
            let id = try await producer.enqueue(.test("crashy"))
            let lost = try #require(try await producer.claimOne(consumer: "vanished", visibility: .seconds(1)))
            #expect(lost.attempt == 1)
            #expect(try await worker.claimOne(consumer: "c2", visibility: .seconds(1)) == nil, "still invisible")
            #expect(try await producer.depth().active == 1)
            let waitStarted = ContinuousClock.now
            let job = try #require(try await worker.claimOne(consumer: "c2", visibility: .seconds(1), wait: .seconds(5)))
            #expect(job.id == id && job.attempt == 2)
            #expect(ContinuousClock.now - waitStarted < .seconds(3), "a long poll wakes when the delivery expires")
            // The vanished consumer's late failure no longer owns the job.
            try await producer.fail(lost, error: "late")
            #expect(try await producer.status(of: id)?.state == .active)
            try await worker.complete(job, result: [1])
            #expect(try await producer.status(of: id)?.state == .completed)
        }
    }

    @Test(arguments: JobBackend.available)
    func releasedJobIsClaimableAtOnceWithoutCountingAnAttempt(_ backend: JobBackend) async throws {
        try await backend.withQueues { producer, worker in
            let id = try await producer.enqueue(.test("release"))
            let job = try #require(try await worker.claimOne())
            try await worker.release(job)
            #expect(try await producer.status(of: id)?.state == .waiting)
            let again = try #require(try await producer.claimOne(consumer: "c2"))
            #expect(again.id == id && again.attempt == 1)
        }
    }

    @Test(arguments: JobBackend.shared)
    func concurrentClaimsTakeEachJobOnce(_ backend: JobBackend) async throws {
        try await backend.withQueues { first, second in
            var ids: Set<JobID> = []
            for index in 0..<120 { ids.insert(try await first.enqueue(.test("n", "\(index)"))) }
            let claimed = try await withThrowingTaskGroup(of: [JobID].self) { group in
                for (index, queue) in [first, second, first, second].enumerated() {
                    group.addTask {
                        var mine: [JobID] = []
                        while true {
                            let jobs = try await queue.claim(consumer: "c\(index)", limit: 5, visibility: .seconds(30), wait: .zero)
                            if jobs.isEmpty { return mine }
                            for job in jobs { try await queue.complete(job, result: []) }
                            mine += jobs.map(\.id)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claimed.count == ids.count, "each job claimed once: \(claimed.count) claims of \(ids.count) jobs")
            #expect(Set(claimed) == ids)
        }
    }

    @Test func badInputIsRefusedWithACode() async throws {
        #expect(throws: FleetStateError.self) { try JobQueueConfiguration(name: "bad name{}") }
        let queue = MemoryJobQueue(configuration: try JobQueueConfiguration(maxPayloadBytes: 4))
        await expectJobError(.jobTooLarge) { try await queue.enqueue(.test("big", "12345")) }
        await expectJobError(.invalidJob) { try await queue.enqueue(JobRequest(name: "", payload: [])) }
        await expectJobError(.invalidJob) { try await queue.enqueue(JobRequest(name: "x", payload: [], maxAttempts: 0)) }
        await expectJobError(.invalidJob) { try await queue.enqueue(JobRequest(name: "x", payload: [], delay: .seconds(-1))) }
    }

    @Test func backoffGrowsWithinItsCap() {
        let policy = JobRetryPolicy(base: .seconds(1), factor: 2, cap: .seconds(5))
        for _ in 0..<50 {
            #expect(policy.backoff(afterAttempt: 1) <= .seconds(1))
            #expect(policy.backoff(afterAttempt: 10) <= .seconds(5))
        }
        #expect((0..<50).map { _ in policy.backoff(afterAttempt: 3) }.contains { $0 > .seconds(1) }, "attempt 3 may wait up to 4 s")
    }
}

func expectJobError<Value>(
    _ code: FleetStateError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Value
) async {
    do {
        _ = try await body()
        Issue.record("expected \(code)", sourceLocation: sourceLocation)
    } catch let error as FleetStateError {
        #expect(error.code == code, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
