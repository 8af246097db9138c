import FleetHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite struct HealthRoutesTests {
    struct Down: Error, CustomStringConvertible {
        var description: String { "connection refused" }
    }

    func app(_ checks: [HealthCheck], timeout: Duration = .seconds(1)) -> some ApplicationProtocol {
        let router = Router()
        HealthRoutes(checks: checks, timeout: timeout).register(on: router)
        return Application(router: router, logger: Logger(label: "test"))
    }

    func document(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any])
    }

    @Test func readyWhenEveryCheckAnswers() async throws {
        try await self.app([HealthCheck("database") {}, HealthCheck("redis") {}]).test(.router) { client in
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .ok)
            let body = try self.document(response)
            #expect(body["status"] as? String == "ok")
            let checks = try #require(body["checks"] as? [String: [String: Any]])
            #expect(checks["database"]?["status"] as? String == "ok")
            #expect(checks["redis"]?["status"] as? String == "ok")
        }
    }

    @Test func degradedWhenACheckFails() async throws {
        try await self.app([HealthCheck("database") { throw Down() }, HealthCheck("redis") {}]).test(.router) { client in
            for path in ["/health/ready", "/health"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .serviceUnavailable)
                let body = try self.document(response)
                #expect(body["status"] as? String == "degraded")
                let checks = try #require(body["checks"] as? [String: [String: Any]])
                #expect(checks["database"]?["status"] as? String == "fail")
                #expect(checks["database"]?["error"] as? String == "connection refused")
                #expect(checks["redis"]?["status"] as? String == "ok")
            }
            let live = try await client.execute(uri: "/health/live", method: .get)
            #expect(live.status == .ok, "liveness does not depend on the database")
        }
    }

    @Test func aHungCheckFailsAtItsDeadline() async throws {
        let hung = HealthCheck("database") { try await Task.sleep(for: .seconds(60)) }
        try await self.app([hung], timeout: .milliseconds(200)).test(.router) { client in
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .serviceUnavailable)
            let checks = try #require(try self.document(response)["checks"] as? [String: [String: Any]])
            #expect((checks["database"]?["error"] as? String)?.hasPrefix("no answer within") == true)
        }
    }
}
