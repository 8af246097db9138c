import FleetRedis
import Logging
import Foundation
import NIOCore

/// Usage: RedisBenchmark URL get|set|pipeline-get|pipeline-set CLIENTS REQUESTS [PIPELINE] [CONNECTIONS]
/// Prints one line: `<mode> <requests per second>`.
let arguments = CommandLine.arguments
guard arguments.count >= 5, let clients = Int(arguments[3]), let requests = Int(arguments[4]) else {
    print("usage: RedisBenchmark URL get|set|pipeline-get|pipeline-set CLIENTS REQUESTS [PIPELINE] [CONNECTIONS]")
    exit(2)
}
let mode = arguments[2]
let depth = arguments.count > 5 ? Int(arguments[5]) ?? 16 : 16
var configuration = try RedisClientConfiguration(url: arguments[1])
configuration.minimumConnections = arguments.count > 6 ? Int(arguments[6]) ?? 1 : 1
let client = RedisClient(configuration: configuration, logger: Logger(label: "redis-benchmark"))
let value = ByteBuffer(repeating: UInt8(ascii: "x"), count: 3)

/// Each caller runs its share of `requests` one after another: no explicit pipelining.
func callers(_ operation: @escaping @Sendable (Int) async throws -> Void) async throws {
    try await withThrowingDiscardingTaskGroup { group in
        for caller in 0..<clients {
            let share = requests / clients
            group.addTask {
                for index in 0..<share { try await operation(caller * share + index) }
            }
        }
    }
}

try await withThrowingTaskGroup(of: Void.self) { group in
    group.addTask { try await client.run() }
    _ = try await client.set("key:__rand_int__", to: value)
    let start = ContinuousClock.now
    switch mode {
    case "get":
        try await callers { _ in _ = try await client.get("key:__rand_int__") }
    case "set":
        try await callers { _ in try await client.set("key:__rand_int__", to: value) }
    case "pipeline-get", "pipeline-set":
        let command = mode == "pipeline-get"
            ? RedisCommand("GET", "key:__rand_int__") : RedisCommand("SET", "key:__rand_int__", value)
        let batch = Array(repeating: command, count: depth)
        try await withThrowingDiscardingTaskGroup { callers in
            for _ in 0..<clients {
                callers.addTask {
                    for _ in 0..<(requests / clients / depth) { _ = try await client.pipeline(batch) }
                }
            }
        }
    default:
        print("unknown mode \(mode)")
        exit(2)
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print("\(mode) \(Int(Double(requests) / seconds))")
    group.cancelAll()
}
