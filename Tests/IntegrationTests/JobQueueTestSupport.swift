import FleetRedis
import FleetState
import Foundation
import Logging
import Testing

/// The backends every job queue behaviour is checked on, each as two queues
/// that act as two workers: two opens of one SQLite file (two independent
/// connections, as two processes would have), two Redis clients on `REDIS_URL`.
enum JobBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory
    case sqlite
    case redis

    var testDescription: String { rawValue }

    /// Redis only with `REDIS_URL`, or on CI, where a missing server fails the test.
    static let available: [JobBackend] = RedisTestServer.enabled ? allCases : [.memory, .sqlite]
    /// The backends shared between processes; Memory is one process only.
    static let shared: [JobBackend] = available.filter { $0 != .memory }

    /// A retry policy fast enough for tests: backoff under 20 ms.
    static let fastRetry = JobRetryPolicy(base: .milliseconds(10), factor: 2, cap: .milliseconds(20))

    func withQueues<Value: Sendable>(
        _ configuration: JobQueueConfiguration? = nil, _ body: (any JobQueue, any JobQueue) async throws -> Value
    ) async throws -> Value {
        let configuration = try configuration ?? JobQueueConfiguration(name: "test", retry: Self.fastRetry)
        switch self {
        case .memory:
            let queue = MemoryJobQueue(configuration: configuration)
            return try await body(queue, queue)
        case .sqlite:
            let directory = NSTemporaryDirectory() + "fleet-jobs-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let logger = Logger(label: "fleet.jobs.tests")
            let path = directory + "/jobs.sqlite"
            let first = try await SQLiteJobQueue.open(path: path, configuration: configuration, pollInterval: .milliseconds(10), logger: logger)
            let second = try await SQLiteJobQueue.open(path: path, configuration: configuration, pollInterval: .milliseconds(10), logger: logger)
            do {
                let value = try await body(first, second)
                try await first.close()
                try await second.close()
                return value
            } catch {
                try? await first.close()
                try? await second.close()
                throw error
            }
        case .redis:
            let prefix = RedisTestServer.prefix("jobs")
            return try await withRedisClient { first in
                try await withRedisClient { second in
                    try await body(
                        RedisJobQueue(redis: first, configuration: configuration, prefix: prefix),
                        RedisJobQueue(redis: second, configuration: configuration, prefix: prefix))
                }
            }
        }
    }
}

extension JobRequest {
    static func test(_ name: String = "test", _ text: String = "", priority: JobPriority = .normal) -> JobRequest {
        JobRequest(name: name, payload: Array(text.utf8), priority: priority)
    }
}

extension JobQueue {
    /// One claim with the tests' defaults: one job, a 30 s visibility, no wait.
    func claimOne(
        consumer: String = "c1", visibility: Duration = .seconds(30), wait: Duration = .zero
    ) async throws -> ClaimedJob? {
        try await claim(consumer: consumer, limit: 1, visibility: visibility, wait: wait).first
    }
}
