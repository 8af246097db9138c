import FleetRedis
import Foundation
import Logging
import Testing

/// The Redis the integration tests talk to: `REDIS_URL`. Without it the tests
/// are skipped, except on CI (`CI=true`), where they run and fail.
enum RedisTestServer {
    static let url = ProcessInfo.processInfo.environment["REDIS_URL"]
    static let enabled = url != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    static func configuration(_ customize: (inout RedisClientConfiguration) -> Void = { _ in }) throws -> RedisClientConfiguration {
        guard let url else { throw RedisError(.invalidURL, "CI=true but REDIS_URL is not set") }
        var configuration = try RedisClientConfiguration(url: url)
        configuration.connection.clientName = "fleet-test"
        configuration.leaseTimeout = .seconds(5)
        configuration.connection.commandTimeout = .seconds(10)
        customize(&configuration)
        return configuration
    }

    /// A unique key prefix, so tests can run in parallel on one server.
    static func prefix(_ name: String = #function) -> String {
        "fleet-test:\(name.prefix { $0 != "(" }):\(UUID().uuidString.prefix(8)):"
    }
}

/// Runs a client for the duration of `body`, then shuts it down.
func withRedisClient<Result: Sendable>(
    _ customize: (inout RedisClientConfiguration) -> Void = { _ in },
    _ body: (RedisClient) async throws -> Result
) async throws -> Result {
    let client = RedisClient(configuration: try RedisTestServer.configuration(customize), logger: Logger(label: "fleet-redis-test"))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await client.run() }
        defer { group.cancelAll() }
        return try await body(client)
    }
}

/// Retries `condition` every 50 ms for at most `seconds`; true once it held.
func eventually(seconds: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return false
}

/// Expects `body` to throw a `RedisError` with `code`.
func expectRedisError<Value>(
    _ code: RedisError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Value
) async {
    do {
        _ = try await body()
        Issue.record("expected \(code)", sourceLocation: sourceLocation)
    } catch let error as RedisError {
        #expect(error.code == code, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
}
