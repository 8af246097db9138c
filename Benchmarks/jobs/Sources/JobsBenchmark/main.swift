import FleetRedis
import FleetState
import Foundation
import Logging

/// Usage: JobsBenchmark REDIS_URL CALLERS REQUESTS PAYLOAD_BYTES QUEUE
/// Enqueues REQUESTS jobs through `RedisJobQueue` from CALLERS concurrent callers
/// (each one after another, as request handlers would) and prints `enqueue <jobs per second>`.
let arguments = CommandLine.arguments
guard arguments.count == 6, let callers = Int(arguments[2]), let requests = Int(arguments[3]), let size = Int(arguments[4])
else {
    print("usage: JobsBenchmark REDIS_URL CALLERS REQUESTS PAYLOAD_BYTES QUEUE")
    exit(2)
}
let client = RedisClient(configuration: try RedisClientConfiguration(url: arguments[1]), logger: Logger(label: "jobs-benchmark"))
let queue = RedisJobQueue(redis: client, configuration: try JobQueueConfiguration(name: arguments[5]))
let payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await client.run() }
    _ = try await queue.depth()
    let start = ContinuousClock.now
    try await withThrowingDiscardingTaskGroup { tasks in
        for _ in 0..<callers {
            tasks.addTask {
                for _ in 0..<(requests / callers) { _ = try await queue.enqueue(JobRequest(name: "bench", payload: payload)) }
            }
        }
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("enqueue \(Int(Double(requests / callers * callers) / seconds))")
    group.cancelAll()
}
