import NIOCore
import Testing

@testable import FleetRedis

@Suite struct RedisSubmissionQueueTests {
    /// A sink whose replies nobody waits for: these tests only look at queueing.
    func submit(_ queue: RedisSubmissionQueue, _ command: RedisCommand, exclusive: Bool = false) -> RedisSubmissionQueue.Outcome {
        queue.submit(CollectionOfOne(command), sink: nil, deadline: .distantFuture, exclusive: exclusive)
    }

    @Test func concurrentCallersShareOneDrainAndOneWrite() {
        let queue = RedisSubmissionQueue()
        var outcomes: [RedisSubmissionQueue.Outcome] = []
        for index in 0..<50 { outcomes.append(submit(queue, RedisCommand("GET", "k\(index)"))) }
        guard case .scheduleDrain = outcomes[0] else {
            Issue.record("the first submission must schedule the drain")
            return
        }
        #expect(outcomes.dropFirst().allSatisfy { if case .queued = $0 { true } else { false } })

        var inflight = CircularBuffer<RedisSubmissionQueue.Pending>()
        var written = queue.drain(into: &inflight)
        var parser = RESPParser()
        var commands = 0
        while (try? parser.next(&written)) != nil { commands += 1 }
        #expect(commands == 50)
        guard case .scheduleDrain = submit(queue, RedisCommand("PING")) else {
            Issue.record("after a drain the next submission schedules another")
            return
        }
    }

    @Test func leasedQueueRejectsSharedButTakesExclusiveSubmissions() {
        let queue = RedisSubmissionQueue()
        queue.setLeased(true)
        guard case .leased = submit(queue, RedisCommand("PING")) else {
            Issue.record("shared submission to a leased connection must be rejected")
            return
        }
        guard case .scheduleDrain = submit(queue, RedisCommand("PING"), exclusive: true) else {
            Issue.record("the lessee's submission must be queued")
            return
        }
        _ = queue.close(RedisError(.connectionClosed, "test"))
        guard case .rejected(let error) = submit(queue, RedisCommand("PING"), exclusive: true) else {
            Issue.record("a closed queue must reject")
            return
        }
        #expect(error.code == .connectionClosed)
    }
}
