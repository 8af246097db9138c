import FleetHTTP
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Readiness waits on Redis when `REDIS_URL` is set: a real server in CI, a closed port for an outage.
@Suite struct RedisHealthTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["REDIS_URL"] != nil || DemoBackend.isCI))
    func readyWhenRedisAnswers() async throws {
        guard let url = ProcessInfo.processInfo.environment["REDIS_URL"] else { throw MissingServer(variable: "REDIS_URL") }
        try await withDemo(.sqlite, configure: { $0.redisURL = url }) { client in
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .ok)
            let checks = try #require(try jsonObject(response)["checks"] as? [String: [String: Any]])
            #expect(checks["redis"]?["status"] as? String == "ok")
            #expect(checks["database"]?["status"] as? String == "ok")
        }
    }

    @Test func degradedWhileRedisIsDown() async throws {
        // Nothing listens on port 1 of loopback: every connection is refused.
        try await withDemo(.sqlite, configure: { $0.redisURL = "redis://127.0.0.1:1" }) { client in
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .serviceUnavailable)
            let body = try jsonObject(response)
            #expect(body["status"] as? String == "degraded")
            let checks = try #require(body["checks"] as? [String: [String: Any]])
            #expect(checks["redis"]?["status"] as? String == "fail")
            #expect(checks["database"]?["status"] as? String == "ok")
            let live = try await client.execute(uri: "/health/live", method: .get)
            #expect(live.status == .ok)
        }
    }

    @Test func aBadRedisURLNamesTheVariable() async throws {
        await #expect(throws: ConfigurationError.self) {
            try await withDemo(.sqlite, configure: { $0.redisURL = "redis://host:notaport" }) { _ in }
        }
    }
}
